//! What a call on this thread shares with the natives: its console output, its store, and
//! the helpers natives are registered and answer with. At the bottom of the crate: the engine
//! and the modules both use it, and it uses neither.

use std::cell::RefCell;
use std::sync::Arc;

use boa_engine::object::builtins::JsArray;
use boa_engine::{Context, JsResult, JsString, JsValue, NativeFunction};

use crate::kvs::Items;

/// Function logs are cut at 10 KB (Developer Guide, *Restrictions on CloudFront Functions*).
pub const MAX_LOG_BYTES: usize = 10 * 1024;

/// A store as a running function reads it (`cf.kvs()`): its items and what `meta()` says.
/// Never changed in place: an edit makes a new one, so a call in flight reads one version.
#[derive(Clone, Debug, Default)]
pub struct KvsView {
    pub items: Arc<Items>,
    pub created: String,
    pub modified: String,
}

impl KvsView {
    /// `items` as last written at `modified` (which stands for the creation time too).
    pub fn new(items: Items, modified: &str) -> Self {
        Self {
            items: Arc::new(items),
            created: modified.to_owned(),
            modified: modified.to_owned(),
        }
    }
}

thread_local! {
    pub(crate) static CALL: RefCell<CallState> = RefCell::new(CallState::default());
}

/// What natives read and write during a call on this thread.
#[derive(Default)]
pub(crate) struct CallState {
    pub logs: Vec<String>,
    pub log_bytes: usize,
    pub kvs: Option<KvsView>,
}

/// Registers a native function as a global.
pub(crate) fn native(
    ctx: &mut Context,
    name: &str,
    len: usize,
    f: fn(&JsValue, &[JsValue], &mut Context) -> JsResult<JsValue>,
) -> JsResult<()> {
    ctx.register_global_callable(JsString::from(name), len, NativeFunction::from_fn_ptr(f))
}

/// A JS array of numbers from bytes.
pub(crate) fn bytes_value(bytes: &[u8], ctx: &mut Context) -> JsValue {
    JsArray::from_iter(bytes.iter().map(|b| JsValue::from(*b)), ctx).into()
}
