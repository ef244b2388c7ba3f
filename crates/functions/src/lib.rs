//! CloudFront Functions for cfconsole: the runtime the preview edge and the console's Test
//! panel share.
//!
//! - [`check`]: what CloudFront checks of code on CreateFunction and UpdateFunction.
//! - [`compile`] → [`Function`], and [`Function::invoke`]: a call with an [`event::Event`],
//!   bounded by [`Limits`], answering an [`Invocation`] (the result, console output, compute
//!   utilization, the error at its line).
//! - [`kvs`]: a key value store's items, their quotas and CloudFront's import format.
//!
//! The engine is boa (pure Rust): no C in the process, a panic in the engine is caught like any
//! other, and its instruction-budgeted evaluation makes the compute bound deterministic. Its
//! lack of a heap limit is made up by [`CountingAlloc`] (see [`alloc`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub mod alloc;
mod build;
mod engine;
pub mod event;
mod host;
pub mod kvs;
mod modules;
pub mod runtime;
pub mod source;

pub use alloc::CountingAlloc;
pub use engine::{ErrorKind, FunctionError, Invocation, Limits};
pub use event::{Event, EventType, Output};
pub use host::{KvsView, MAX_LOG_BYTES};
pub use runtime::Runtime;
pub use source::{CodeError, MAX_CODE_BYTES};

static IDS: AtomicU64 = AtomicU64::new(1);

/// Checks code as CloudFront does on CreateFunction and UpdateFunction: at most 10 KB, a
/// script its runtime's language accepts, and a `handler` function, found by running the
/// code's top level in a fresh context under the budget (spec CF-1, CF-2).
pub fn check(code: &str, runtime: Runtime) -> Result<(), CodeError> {
    source::check_syntax(code, runtime)?;
    engine::check_setup(runtime, code).map_err(|e| CodeError {
        code: "InvalidArgument",
        message: e.message,
        line: e.line,
    })
}

/// A function whose code passed [`check`]: cheap to clone, shared by every thread that runs
/// it (each sets up its own instance on first use).
#[derive(Clone, Debug)]
pub struct Function {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    id: u64,
    name: String,
    runtime: Runtime,
    code: String,
}

/// Checks `code` and makes it a function that can be invoked.
pub fn compile(name: &str, runtime: Runtime, code: &str) -> Result<Function, CodeError> {
    check(code, runtime)?;
    Ok(Function {
        inner: Arc::new(Inner {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            name: name.to_owned(),
            runtime,
            code: code.to_owned(),
        }),
    })
}

impl Function {
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub fn runtime(&self) -> Runtime {
        self.inner.runtime
    }

    pub fn code(&self) -> &str {
        &self.inner.code
    }

    /// Calls the function with `event`; `kvs` is the associated store, if any. Never panics
    /// on the function's account: whatever the code does ends in an [`Invocation`].
    pub fn invoke(&self, event: &Event, kvs: Option<KvsView>, limits: &Limits) -> Invocation {
        let i = &self.inner;
        let run = std::panic::AssertUnwindSafe(|| {
            engine::invoke(i.id, i.runtime, &i.code, event, kvs, limits)
        });
        std::panic::catch_unwind(run).unwrap_or_else(|_| Invocation {
            output: Err(FunctionError {
                kind: ErrorKind::Exception,
                message: "the JavaScript engine failed on this function".into(),
                line: None,
            }),
            logs: Vec::new(),
            compute_utilization: 0,
            cost: 0,
        })
    }
}

/// TestFunction's `FunctionOutput`: the result wrapped by its kind (`{"request": ...}` or
/// `{"response": ...}`), as JSON text; empty when the call failed.
pub fn function_output(inv: &Invocation) -> String {
    match &inv.output {
        Ok(Output::Request(r)) => serde_json::json!({ "request": r.to_json() }).to_string(),
        Ok(Output::Response(r)) => serde_json::json!({ "response": r.to_json() }).to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
#[global_allocator]
static TEST_ALLOC: CountingAlloc<std::alloc::System> = CountingAlloc(std::alloc::System);
