//! The engine: a function's code in a boa context, called with an event under a budget.
//!
//! Each thread keeps an instance (context, code, `handler`) per compiled function, made on
//! first use; a call sets the event, runs `handler(event)` a slice of instructions at a time
//! (`Script::evaluate_async_with_budget`, polled here by hand), and between slices checks the
//! compute budget and the memory the invocation holds. Over either, the call is cut and the
//! instance thrown away (its VM stopped mid-way), and the request gets CloudFront's 503.
//!
//! Choices where CloudFront is silent or cannot be matched:
//! - Compute is counted in boa's instruction cost units, deterministic for a given function
//!   and event; [`Limits::compute`] units is 100 % utilization (CloudFront's 100 is a share of
//!   its own time budget). Work a native builtin does for the code (a callback of
//!   `Array.prototype.map`, promise jobs after an `await`) runs outside the slices; the
//!   engine's loop-iteration and recursion limits bound it.
//! - Memory is what the thread's counting allocator ([`crate::alloc`]) says the call grew by;
//!   boa's objects are larger than CloudFront's, so the bound is [`Limits::memory`], not 2 MB.
//! - An instance lives on between calls, as CloudFront's do within a host; a function that
//!   keeps state in globals sees it again on that thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context as TaskContext, Poll, Waker};

use boa_engine::context::HostHooks;
use boa_engine::object::builtins::JsPromise;
use boa_engine::realm::Realm;
use boa_engine::vm::RuntimeLimits;
use boa_engine::{
    Context, JsError, JsNativeError, JsResult, JsString, JsValue, Script, Source, js_string,
};
use serde_json::Value;

use crate::event::{self, Event, Output};
use crate::host::{CALL, KvsView};
use crate::runtime::Runtime;
use crate::{modules, source};

/// The bounds of one invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Instruction cost units that make 100 % compute utilization; a call over it is cut.
    pub compute: u64,
    /// Bytes a call may grow its thread's heap by.
    pub memory: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            compute: 200_000,
            memory: 16 * 1024 * 1024,
        }
    }
}

/// Instruction cost units between two checks of the budget and of memory.
const SLICE: u32 = 50;
/// The file name a function's code has in error positions.
pub(crate) const FILE: &str = "function.js";
/// Why a function failed a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The code threw, or its promise was rejected.
    Exception,
    /// The compute budget ran out.
    ComputeExceeded,
    /// The memory bound was crossed.
    MemoryExceeded,
    /// The result is not a request or response CloudFront can use.
    InvalidResult,
    /// The code could not be set up (no `handler`, a top-level throw).
    Setup,
}

/// A function's failure, with the line of its code when the engine knows it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FunctionError {
    pub kind: ErrorKind,
    pub message: String,
    pub line: Option<u32>,
}

/// What one call produced.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub output: Result<Output, FunctionError>,
    /// `console.log` lines, at most [`MAX_LOG_BYTES`](crate::MAX_LOG_BYTES) in all.
    pub logs: Vec<String>,
    /// 0-100 (over 100 only when the call was cut), as TestFunction's ComputeUtilization.
    pub compute_utilization: u32,
    /// Instruction cost units spent, rounded up to a slice.
    pub cost: u64,
}

struct Instance {
    ctx: Context,
    call: Script,
}

thread_local! {
    /// Never dropped when the thread ends: boa's collector lives in a thread-local of its own,
    /// which may be torn down first, and a context dropped after it frees memory twice. The
    /// instances a thread holds at its end are left to the process's end instead (threads of
    /// the preview's runtime live as long as it does).
    static INSTANCES: std::mem::ManuallyDrop<RefCell<HashMap<u64, Instance>>> =
        std::mem::ManuallyDrop::new(RefCell::new(HashMap::new()));
}

/// The host hooks: no code compiled from strings (`eval`, `Function`), bounded buffers.
struct Hooks;

impl HostHooks for Hooks {
    fn ensure_can_compile_strings(
        &self,
        _realm: Realm,
        _parameters: &[JsString],
        _body: &JsString,
        _direct: bool,
        _context: &mut Context,
    ) -> JsResult<()> {
        Err(JsNativeError::eval()
            .with_message("CloudFront Functions do not allow eval or the Function constructor")
            .into())
    }

    fn max_buffer_size(&self, _context: &mut Context) -> u64 {
        2 * 1024 * 1024
    }
}

/// The line of the function's code an error points at, from the engine's backtrace.
pub(crate) fn error_line(text: &str) -> Option<u32> {
    let at = text.find(&format!("{FILE}:"))? + FILE.len() + 1;
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn describe(e: &JsError, ctx: &mut Context) -> String {
    // A thrown Error object: "Name: message"; anything else as the engine shows it.
    if let Some(obj) = e.as_opaque().and_then(|v| v.as_object()) {
        let name = obj
            .get(js_string!("name"), ctx)
            .ok()
            .and_then(|v| v.as_string().map(|s| s.to_std_string_escaped()));
        let message = obj
            .get(js_string!("message"), ctx)
            .ok()
            .and_then(|v| v.as_string().map(|s| s.to_std_string_escaped()));
        if let (Some(n), Some(m)) = (name, message) {
            return format!("{n}: {m}");
        }
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    // The engine appends where a native error arose ("(unknown at :1:8)"); the line is reported
    // apart, from the backtrace.
    match first.rfind(" (") {
        Some(i) if first.ends_with(')') => first[..i].to_owned(),
        _ => first.to_owned(),
    }
}

fn exception(e: &JsError, ctx: &mut Context) -> FunctionError {
    let full = e.to_string();
    let mut line = error_line(&full);
    if line.is_none()
        && let Some(obj) = e.as_opaque().and_then(|v| v.as_object())
        && let Ok(stack) = obj.get(js_string!("stack"), ctx)
        && let Some(s) = stack.as_string()
    {
        line = error_line(&s.to_std_string_escaped());
    }
    let kind = if full.contains("Maximum loop iteration limit")
        || full.contains("Maximum recursion limit")
        || full.contains("Maximum stack size")
    {
        ErrorKind::ComputeExceeded
    } else {
        ErrorKind::Exception
    };
    FunctionError {
        kind,
        message: describe(e, ctx),
        line,
    }
}

fn new_context() -> JsResult<Context> {
    let mut ctx = Context::builder().host_hooks(Rc::new(Hooks)).build()?;
    let mut limits = RuntimeLimits::default();
    limits.set_loop_iteration_limit(1_000_000);
    limits.set_recursion_limit(256);
    limits.set_stack_size_limit(16 * 1024);
    ctx.set_runtime_limits(limits);
    Ok(ctx)
}

/// Runs `script` a slice at a time: its value, or why it was cut.
fn run_budgeted(
    script: &Script,
    ctx: &mut Context,
    limits: &Limits,
    cost: &mut u64,
) -> Result<JsResult<JsValue>, ErrorKind> {
    let base = crate::alloc::thread_bytes();
    let check_memory = crate::alloc::installed();
    let waker = Waker::noop();
    let mut cx = TaskContext::from_waker(waker);
    let mut fut = pin!(script.evaluate_async_with_budget(ctx, SLICE));
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => {
                *cost += u64::from(SLICE);
                return Ok(v);
            }
            Poll::Pending => {
                *cost += u64::from(SLICE);
                if *cost > limits.compute {
                    return Err(ErrorKind::ComputeExceeded);
                }
                if check_memory && crate::alloc::thread_bytes() - base > limits.memory {
                    return Err(ErrorKind::MemoryExceeded);
                }
            }
        }
    }
}

/// Sets up a function's code in a fresh context: its modules, its code, and `handler`.
fn instantiate(runtime: Runtime, code: &str, limits: &Limits) -> Result<Instance, FunctionError> {
    let setup = |message: String, line: Option<u32>| FunctionError {
        kind: ErrorKind::Setup,
        message,
        line,
    };
    let mut ctx = new_context().map_err(|e| setup(e.to_string(), None))?;
    modules::install(&mut ctx, runtime).map_err(|e| setup(format!("modules: {e}"), None))?;
    let code = source::rewrite_imports(code, runtime);
    let script = Script::parse(
        Source::from_bytes(code.as_bytes()).with_path(Path::new(FILE)),
        None,
        &mut ctx,
    )
    .map_err(|e| {
        let text = e.to_string();
        setup(text.clone(), source::syntax_line(&text))
    })?;
    let mut cost = 0;
    match run_budgeted(&script, &mut ctx, limits, &mut cost) {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            let mut err = exception(&e, &mut ctx);
            err.kind = ErrorKind::Setup;
            return Err(err);
        }
        Err(kind) => {
            return Err(FunctionError {
                kind,
                message: "the code's top level ran over the budget".into(),
                line: None,
            });
        }
    }
    let handler = ctx
        .global_object()
        .get(js_string!("handler"), &mut ctx)
        .unwrap_or_default();
    if !handler.is_callable() {
        return Err(setup(
            "the code defines no function named handler".into(),
            None,
        ));
    }
    let call = Script::parse(
        Source::from_bytes("handler(__cf_event)".as_bytes()),
        None,
        &mut ctx,
    )
    .map_err(|e| setup(e.to_string(), None))?;
    Ok(Instance { ctx, call })
}

/// Checks that the code sets up: it runs its top level in a fresh context and finds `handler`.
pub(crate) fn check_setup(runtime: Runtime, code: &str) -> Result<(), FunctionError> {
    instantiate(runtime, code, &Limits::default()).map(drop)
}

/// Calls the function `id` (set up from `code` on first use on this thread) with `event`.
pub(crate) fn invoke(
    id: u64,
    runtime: Runtime,
    code: &str,
    event: &Event,
    kvs: Option<KvsView>,
    limits: &Limits,
) -> Invocation {
    CALL.with(|c| {
        let mut c = c.borrow_mut();
        c.logs.clear();
        c.log_bytes = 0;
        c.kvs = kvs;
    });
    let mut cost = 0u64;
    let output = INSTANCES.with(|m| {
        let mut map = m.borrow_mut();
        if !map.contains_key(&id) {
            if map.len() >= 64 {
                map.clear();
            }
            match instantiate(runtime, code, limits) {
                Ok(i) => {
                    map.insert(id, i);
                }
                Err(e) => return Err(e),
            }
        }
        let inst = map.get_mut(&id).expect("inserted above");
        let result = call(inst, event, limits, &mut cost);
        if let Err(e) = &result
            && matches!(
                e.kind,
                ErrorKind::ComputeExceeded | ErrorKind::MemoryExceeded
            )
        {
            // The VM stopped mid-call: this context cannot be used again.
            map.remove(&id);
            boa_engine::gc::force_collect();
        }
        result
    });
    let logs = CALL.with(|c| {
        let mut c = c.borrow_mut();
        c.kvs = None;
        std::mem::take(&mut c.logs)
    });
    Invocation {
        output,
        logs,
        compute_utilization: (cost.saturating_mul(100)).div_ceil(limits.compute.max(1)) as u32,
        cost,
    }
}

fn call(
    inst: &mut Instance,
    event: &Event,
    limits: &Limits,
    cost: &mut u64,
) -> Result<Output, FunctionError> {
    let ctx = &mut inst.ctx;
    let value = crate::build::event(event, ctx).map_err(|e| FunctionError {
        kind: ErrorKind::Setup,
        message: format!("the event could not be built: {e}"),
        line: None,
    })?;
    ctx.global_object()
        .set(js_string!("__cf_event"), value, false, ctx)
        .map_err(|e| FunctionError {
            kind: ErrorKind::Setup,
            message: e.to_string(),
            line: None,
        })?;
    let cut = |kind: ErrorKind| FunctionError {
        message: match kind {
            ErrorKind::ComputeExceeded => format!(
                "the function ran over its compute budget ({} instruction units)",
                limits.compute
            ),
            _ => format!(
                "the function held more than {} MB of memory",
                limits.memory / (1024 * 1024)
            ),
        },
        kind,
        line: None,
    };
    let returned = match run_budgeted(&inst.call, ctx, limits, cost) {
        Err(kind) => return Err(cut(kind)),
        Ok(Err(e)) => return Err(exception(&e, ctx)),
        Ok(Ok(v)) => v,
    };
    let returned = settle(returned, ctx)?;
    let json: Value = returned
        .to_json(ctx)
        .map_err(|e| FunctionError {
            kind: ErrorKind::InvalidResult,
            message: format!("the result is not plain data: {}", describe(&e, ctx)),
            line: None,
        })?
        .unwrap_or(Value::Null);
    event::read_output(event.event_type, event, &json).map_err(|e| FunctionError {
        kind: ErrorKind::InvalidResult,
        message: e.to_string(),
        line: None,
    })
}

/// An `async` handler's promise, run to its end (its jobs run outside the slices).
fn settle(v: JsValue, ctx: &mut Context) -> Result<JsValue, FunctionError> {
    let Some(promise) = v
        .as_object()
        .and_then(|o| JsPromise::from_object(o.clone()).ok())
    else {
        return Ok(v);
    };
    if let Err(e) = ctx.run_jobs() {
        return Err(exception(&e, ctx));
    }
    match promise.state() {
        boa_engine::builtins::promise::PromiseState::Fulfilled(v) => Ok(v),
        boa_engine::builtins::promise::PromiseState::Rejected(e) => {
            Err(exception(&JsError::from_opaque(e), ctx))
        }
        boa_engine::builtins::promise::PromiseState::Pending => Err(FunctionError {
            kind: ErrorKind::InvalidResult,
            message: "the handler's promise never settled".into(),
            line: None,
        }),
    }
}
