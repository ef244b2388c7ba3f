//! The account's CloudFront Functions and key value stores: two pages of the left-hand
//! navigation, as in the CloudFront console. This module holds what they show and runs their
//! backend calls (its own [`Tasks`], like the Invalidations tab); the views draw from it and
//! record [`Action`]s, which [`Functions::run`] carries out after the frame is drawn.
//!
//! - Functions: the list with stage and status; an editor (runtime, store, comment, code with
//!   line numbers and highlighting, CloudFront's checks as you type, the error at its line);
//!   Save (UpdateFunction with the ETag: a stale one is refused, never overwritten); a Test
//!   panel (TestFunction on the saved DEVELOPMENT code); Publish after a diff of the code;
//!   Delete; the distributions and behaviors that use the function.
//! - Key value stores (`stores.rs`): the item table, import and export, the size meter.
//! - The preview: [`Functions::preview_set`] is the account's functions at the chosen stage
//!   with their stores' items, made again after every save, publish or store edit, so the
//!   running preview follows them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use cfconsole_control::{
    ControlError, ControlPlane, FunctionRecord, FunctionTest, KvsItems, KvsRecord, Stage,
};
use cfconsole_edge::functions::{EdgeFunction, FunctionSet};
use cfconsole_functions::event::Request;
use cfconsole_functions::kvs::Items;
use cfconsole_functions::{CodeError, Event, EventType, KvsView, Runtime};
use cfconsole_model::DistributionConfig;
use eframe::egui::{self, RichText, Ui};

use crate::ui::files::FileDialogs;
use crate::ui::remote::Remote;
use crate::ui::style::{ERROR, OK, WARNING};
use crate::ui::task::{Jobs, Tasks};

/// The code a new function starts with: the common index rewrite.
pub const NEW_CODE: &str = "function handler(event) {
    var request = event.request;
    var uri = request.uri;
    // Rewrite /about to /about/index.html, and /blog/ to /blog/index.html.
    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}
";

pub(crate) enum Msg {
    Listed(Result<(Vec<FunctionRecord>, Vec<FunctionRecord>), String>),
    Opened(String, Result<Opened, String>),
    Saved(Result<(FunctionRecord, String), String>),
    Published(Result<FunctionRecord, String>),
    Deleted(String, Result<(), String>),
    Tested(Result<(serde_json::Value, FunctionTest), String>),
    Stores(Result<Vec<KvsRecord>, String>),
    Items(String, Result<KvsItems, String>),
    Written(String, Result<String, String>),
    StoreCreated(Result<KvsRecord, String>),
    StoreDeleted(String, Result<(), String>),
    Exported(Result<PathBuf, String>),
    PreviewLoaded(u64, Result<Vec<Loaded>, String>),
}

/// A function opened in the editor, as the backend has it.
pub(crate) struct Opened {
    record: FunctionRecord,
    code: String,
    live: Option<String>,
}

/// One function for the preview: its record, its code at the stage, its store's items.
pub(crate) struct Loaded {
    record: FunctionRecord,
    code: String,
    items: Option<(Items, String)>,
}

/// What the views ask for; [`Functions::run`] carries it out.
#[derive(Debug, Clone)]
pub enum Action {
    Refresh,
    Open(String),
    New,
    Create,
    Save,
    Test,
    ConfirmPublish,
    Publish,
    ConfirmDelete,
    Delete,
    CloseDialog,
    OpenStore(String),
    CreateStore,
    DeleteStore(String),
    PutItem(String, String),
    DeleteItem(String),
    ImportItems,
    ExportItems,
    PreviewStage(Stage),
}

/// The Test panel's event.
#[derive(Debug, Clone)]
pub struct TestForm {
    pub event_type: EventType,
    pub method: String,
    pub uri: String,
    pub query: String,
    /// One `name: value` per line.
    pub headers: String,
    /// `a=1; b=2`.
    pub cookies: String,
    pub viewer_ip: String,
    /// Viewer response: the response's status.
    pub status: String,
}

impl Default for TestForm {
    fn default() -> Self {
        Self {
            event_type: EventType::ViewerRequest,
            method: "GET".into(),
            uri: "/about".into(),
            query: String::new(),
            headers: "host: d111111abcdef8.cloudfront.net\nuser-agent: cfconsole".into(),
            cookies: String::new(),
            viewer_ip: "198.51.100.11".into(),
            status: "200".into(),
        }
    }
}

impl TestForm {
    /// The TestFunction event the form describes.
    pub fn event(&self) -> Event {
        let fields = |pairs: Vec<(String, String)>| {
            let mut out: Vec<(String, Vec<String>)> = Vec::new();
            for (k, v) in pairs {
                match out.iter_mut().find(|(n, _)| *n == k) {
                    Some((_, vs)) => vs.push(v),
                    None => out.push((k, vec![v])),
                }
            }
            out
        };
        let headers = self
            .headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        let query = self
            .query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        let cookies = self
            .cookies
            .split(';')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| {
                let (k, v) = c.split_once('=').unwrap_or((c, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        let request = Request {
            method: self.method.trim().to_ascii_uppercase(),
            uri: self.uri.trim().to_string(),
            querystring: fields(query),
            headers: fields(headers),
            cookies: fields(cookies),
        };
        let response = (self.event_type == EventType::ViewerResponse).then(|| {
            cfconsole_functions::event::Response {
                status: self.status.trim().parse().unwrap_or(200),
                description: None,
                headers: vec![("content-type".into(), vec!["text/html".into()])],
                ..Default::default()
            }
        });
        Event {
            event_type: self.event_type,
            distribution_id: "EDFDVBD6EXAMPLE".into(),
            distribution_domain: "d111111abcdef8.cloudfront.net".into(),
            request_id: String::new(),
            viewer_ip: self.viewer_ip.trim().to_string(),
            request,
            response,
        }
    }
}

/// The function in the editor.
pub struct Editor {
    pub name: String,
    /// Not created yet: Create makes it.
    pub is_new: bool,
    pub comment: String,
    pub runtime: Runtime,
    pub kvs_arn: Option<String>,
    pub code: String,
    /// DEVELOPMENT's code as saved (to tell an unsaved edit).
    pub saved: String,
    pub saved_runtime: Runtime,
    pub saved_kvs: Option<String>,
    pub saved_comment: String,
    /// LIVE's code, when published.
    pub live: Option<String>,
    /// DEVELOPMENT's ETag.
    pub etag: String,
    pub status: String,
    /// CloudFront's checks of `code` (size, syntax, handler), made when the code changes.
    pub check: Result<(), CodeError>,
    checked: (String, Runtime),
    pub test: TestForm,
    /// The last test: the event sent, and what TestFunction answered.
    pub result: Option<(serde_json::Value, FunctionTest)>,
}

impl Editor {
    fn new_function() -> Self {
        let mut e = Editor {
            name: String::new(),
            is_new: true,
            comment: String::new(),
            runtime: Runtime::Js2,
            kvs_arn: None,
            code: NEW_CODE.to_string(),
            saved: String::new(),
            saved_runtime: Runtime::Js2,
            saved_kvs: None,
            saved_comment: String::new(),
            live: None,
            etag: String::new(),
            status: String::new(),
            check: Ok(()),
            checked: (String::new(), Runtime::Js2),
            test: TestForm::default(),
            result: None,
        };
        e.recheck();
        e
    }

    fn from(o: Opened) -> Self {
        let mut e = Editor {
            name: o.record.name.clone(),
            is_new: false,
            comment: o.record.comment.clone(),
            runtime: o.record.runtime,
            kvs_arn: o.record.kvs_arn.clone(),
            code: o.code.clone(),
            saved: o.code,
            saved_runtime: o.record.runtime,
            saved_kvs: o.record.kvs_arn.clone(),
            saved_comment: o.record.comment.clone(),
            live: o.live,
            etag: o.record.etag,
            status: o.record.status,
            check: Ok(()),
            checked: (String::new(), o.record.runtime),
            test: TestForm::default(),
            result: None,
        };
        e.recheck();
        e
    }

    /// True when the editor differs from DEVELOPMENT as saved.
    pub fn is_edited(&self) -> bool {
        self.is_new
            || self.code != self.saved
            || self.runtime != self.saved_runtime
            || self.kvs_arn != self.saved_kvs
            || self.comment != self.saved_comment
    }

    /// Runs CloudFront's checks again when the code or the runtime changed.
    pub fn recheck(&mut self) {
        if self.checked.0 != self.code || self.checked.1 != self.runtime {
            self.check = cfconsole_functions::check(&self.code, self.runtime);
            self.checked = (self.code.clone(), self.runtime);
        }
    }
}

/// The store page's view state.
#[derive(Debug, Default)]
pub struct StoreView {
    /// The open store's name.
    pub open: Option<String>,
    pub filter: String,
    pub new_key: String,
    pub new_value: String,
    /// A value being edited: (key, text).
    pub editing: Option<(String, String)>,
    pub new_store: String,
    pub new_comment: String,
}

/// A dialog of the functions page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    Publish,
    Delete,
}

/// The account's functions and stores, as the window holds them.
pub struct Functions {
    tasks: Tasks<Msg>,
    plane: Option<Arc<dyn ControlPlane>>,
    dialogs: Arc<dyn FileDialogs>,
    /// Every function at DEVELOPMENT.
    pub list: Remote<Vec<FunctionRecord>>,
    /// The published ones, by name.
    pub live: HashMap<String, FunctionRecord>,
    /// `(name, ARN)` of `list`, for [`Functions::choices`].
    choices: Vec<(String, String)>,
    pub stores: Remote<Vec<KvsRecord>>,
    /// Store items by ARN.
    pub items: HashMap<String, Remote<KvsItems>>,
    pub editor: Option<Editor>,
    pub dialog: Option<Dialog>,
    pub store_view: StoreView,
    /// Errors and notices for the window's banners.
    pub errors: Vec<String>,
    pub notices: Vec<String>,
    /// The stage the preview runs (LIVE, as CloudFront; DEVELOPMENT to try saved code).
    pub preview_stage: Stage,
    /// The functions for the preview, and its generation (new after every change).
    pub preview_set: Option<Arc<FunctionSet>>,
    pub preview_generation: u64,
    asked: u64,
    pending: Vec<Action>,
}

impl Functions {
    pub fn new(rt: tokio::runtime::Handle, jobs: Jobs, dialogs: Arc<dyn FileDialogs>) -> Self {
        Self {
            tasks: Tasks::new(rt, jobs),
            plane: None,
            dialogs,
            list: Remote::Idle,
            live: HashMap::new(),
            choices: Vec::new(),
            stores: Remote::Idle,
            items: HashMap::new(),
            editor: None,
            dialog: None,
            store_view: StoreView::default(),
            errors: Vec::new(),
            notices: Vec::new(),
            preview_stage: Stage::Live,
            preview_set: None,
            preview_generation: 0,
            asked: 0,
            pending: Vec::new(),
        }
    }

    /// The backend changed: everything is read again from the new one.
    pub fn set_plane(&mut self, plane: Option<Arc<dyn ControlPlane>>) {
        self.plane = plane;
        self.list = Remote::Idle;
        self.choices.clear();
        self.live.clear();
        self.stores = Remote::Idle;
        self.items.clear();
        self.editor = None;
        self.dialog = None;
        self.store_view = StoreView::default();
        self.preview_set = None;
        self.preview_generation += 1;
        if self.plane.is_some() {
            self.refresh();
        }
    }

    /// Asks the view's actions to run after the frame.
    pub fn act(&mut self, a: Action) {
        self.pending.push(a);
    }

    /// The account's functions as publish checks associations against; None until listed.
    pub fn known(&self) -> Option<Vec<cfconsole_model::KnownFunction>> {
        let list = self.list.value()?;
        Some(
            list.iter()
                .map(|f| cfconsole_model::KnownFunction {
                    name: f.name.clone(),
                    arn: f.arn.clone(),
                    live: self.live.contains_key(&f.name),
                })
                .collect(),
        )
    }

    /// The account's functions, by name and ARN (the Behaviors tab's picker), made when the
    /// list is read rather than on every frame.
    pub fn choices(&self) -> &[(String, String)] {
        &self.choices
    }

    fn spawn<F>(&self, what: impl Into<String>, fut: F)
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        self.tasks.spawn(what, fut);
    }

    pub fn refresh(&mut self) {
        let Some(plane) = self.plane.clone() else {
            return;
        };
        self.list.start();
        self.stores.start();
        let p = plane.clone();
        self.spawn("loading functions", async move {
            let r = async {
                let dev = p.list_functions(Some(Stage::Development)).await?;
                let live = p.list_functions(Some(Stage::Live)).await?;
                Ok::<_, ControlError>((dev, live))
            }
            .await;
            Msg::Listed(r.map_err(|e| e.to_string()))
        });
        self.spawn("loading key value stores", async move {
            Msg::Stores(plane.list_kvs().await.map_err(|e| e.to_string()))
        });
    }

    fn open(&mut self, name: String) {
        let Some(plane) = self.plane.clone() else {
            return;
        };
        self.spawn(format!("opening function {name}"), async move {
            let r = async {
                let record = plane.describe_function(&name, Stage::Development).await?;
                let (code, _) = plane.get_function_code(&name, Stage::Development).await?;
                let live = match plane.get_function_code(&name, Stage::Live).await {
                    Ok((c, _)) => Some(c),
                    Err(_) => None,
                };
                Ok::<_, ControlError>(Opened { record, code, live })
            }
            .await;
            Msg::Opened(name, r.map_err(|e| e.to_string()))
        });
    }

    fn load_items(&mut self, arn: &str) {
        let Some(plane) = self.plane.clone() else {
            return;
        };
        self.items
            .entry(arn.to_string())
            .or_insert(Remote::Idle)
            .start();
        let arn = arn.to_string();
        self.spawn("loading the store's items", async move {
            let r = plane.kvs_items(&arn).await.map_err(|e| e.to_string());
            Msg::Items(arn, r)
        });
    }

    /// Reads every function at the preview's stage with its store, for the preview.
    fn load_preview(&mut self) {
        let Some(plane) = self.plane.clone() else {
            return;
        };
        self.asked += 1;
        let asked = self.asked;
        let stage = self.preview_stage;
        self.spawn("reading functions for the preview", async move {
            let r = async {
                let mut out = Vec::new();
                let functions = plane.list_functions(Some(stage)).await?;
                // The stores' modification times (what `meta()` answers), read once.
                let stores = if functions.iter().any(|f| f.kvs_arn.is_some()) {
                    plane.list_kvs().await?
                } else {
                    Vec::new()
                };
                for record in functions {
                    let (code, _) = plane.get_function_code(&record.name, stage).await?;
                    let items = match &record.kvs_arn {
                        Some(arn) => {
                            let k = plane.kvs_items(arn).await?;
                            let when = stores
                                .iter()
                                .find(|s| &s.arn == arn)
                                .map(|s| s.modified.clone())
                                .unwrap_or_default();
                            Some((k.items, when))
                        }
                        None => None,
                    };
                    out.push(Loaded {
                        record,
                        code,
                        items,
                    });
                }
                Ok::<_, ControlError>(out)
            }
            .await;
            Msg::PreviewLoaded(asked, r.map_err(|e| e.to_string()))
        });
    }

    /// Applies finished tasks, once per frame.
    pub fn tick(&mut self) {
        for m in self.tasks.drain() {
            self.apply(m);
        }
        if let Some(e) = &mut self.editor {
            e.recheck();
        }
    }

    fn apply(&mut self, m: Msg) {
        match m {
            Msg::Listed(r) => {
                let r = r.map(|(dev, live)| {
                    self.live = live.into_iter().map(|f| (f.name.clone(), f)).collect();
                    dev
                });
                self.list.finish(r);
                self.choices = self
                    .list
                    .value()
                    .map(|l| l.iter().map(|f| (f.name.clone(), f.arn.clone())).collect())
                    .unwrap_or_default();
                self.load_preview();
            }
            Msg::Opened(_, Ok(o)) => self.editor = Some(Editor::from(o)),
            Msg::Opened(name, Err(e)) => self.errors.push(format!("Function {name}: {e}")),
            Msg::Saved(Ok((rec, code))) => {
                self.notices
                    .push(format!("Function {} saved (DEVELOPMENT)", rec.name));
                if let Some(e) = self.editor.as_mut().filter(|e| e.name == rec.name) {
                    e.is_new = false;
                    e.saved = code;
                    e.saved_runtime = rec.runtime;
                    e.saved_kvs = rec.kvs_arn.clone();
                    e.saved_comment = rec.comment.clone();
                    e.etag = rec.etag.clone();
                    e.status = rec.status.clone();
                }
                self.refresh();
            }
            Msg::Saved(Err(e)) => self.errors.push(format!("Not saved: {e}")),
            Msg::Published(Ok(rec)) => {
                self.notices
                    .push(format!("Function {} published to LIVE", rec.name));
                if let Some(e) = self.editor.as_mut().filter(|e| e.name == rec.name) {
                    e.live = Some(e.saved.clone());
                    e.status = rec.status.clone();
                }
                self.refresh();
            }
            Msg::Published(Err(e)) => self.errors.push(format!("Not published: {e}")),
            Msg::Deleted(name, Ok(())) => {
                self.notices.push(format!("Function {name} deleted"));
                self.editor = None;
                self.refresh();
            }
            Msg::Deleted(name, Err(e)) => self.errors.push(format!("{name} not deleted: {e}")),
            Msg::Tested(r) => match r {
                Ok(t) => {
                    if let Some(e) = &mut self.editor {
                        e.result = Some(t);
                    }
                }
                Err(e) => self.errors.push(format!("Test failed: {e}")),
            },
            Msg::Stores(r) => {
                self.stores.finish(r);
                // A store opened before the list knew it (just created): read its items now.
                if let Some(arn) = self
                    .store_view
                    .open
                    .clone()
                    .and_then(|n| self.store_arn(&n))
                    && !self.items.contains_key(&arn)
                {
                    self.load_items(&arn);
                }
            }
            Msg::Items(arn, r) => {
                self.items.entry(arn).or_insert(Remote::Idle).finish(r);
            }
            Msg::Written(arn, r) => {
                match r {
                    Ok(_) => self.load_preview(),
                    Err(e) => self.errors.push(format!("The store was not changed: {e}")),
                }
                self.load_items(&arn);
            }
            Msg::StoreCreated(r) => match r {
                Ok(s) => {
                    self.notices
                        .push(format!("Key value store {} created", s.name));
                    self.store_view.open = Some(s.name);
                    self.store_view.new_store.clear();
                    self.store_view.new_comment.clear();
                    self.refresh();
                }
                Err(e) => self.errors.push(format!("Not created: {e}")),
            },
            Msg::StoreDeleted(name, r) => match r {
                Ok(()) => {
                    self.notices.push(format!("Key value store {name} deleted"));
                    self.store_view.open = None;
                    self.refresh();
                }
                Err(e) => self.errors.push(format!("{name} not deleted: {e}")),
            },
            Msg::Exported(r) => match r {
                Ok(p) => self.notices.push(format!("Exported to {}", p.display())),
                Err(e) => self.errors.push(e),
            },
            Msg::PreviewLoaded(asked, r) => {
                if asked != self.asked {
                    return;
                }
                match r {
                    Ok(loaded) => {
                        let mut set = FunctionSet::default();
                        for l in loaded {
                            let f = match cfconsole_functions::compile(
                                &l.record.name,
                                l.record.runtime,
                                &l.code,
                            ) {
                                Ok(f) => f,
                                Err(e) => {
                                    self.errors.push(format!(
                                        "Function {} is not run by the preview: {e}",
                                        l.record.name
                                    ));
                                    continue;
                                }
                            };
                            let kvs = l.items.map(|(items, when)| KvsView::new(items, &when));
                            set.insert(EdgeFunction {
                                name: l.record.name,
                                function: f,
                                kvs,
                            });
                        }
                        self.preview_set = Some(Arc::new(set));
                        self.preview_generation += 1;
                    }
                    Err(e) => self.errors.push(format!("The preview's functions: {e}")),
                }
            }
        }
    }

    /// Carries out what the views asked for this frame.
    pub fn run(&mut self) {
        for a in std::mem::take(&mut self.pending) {
            self.run_one(a);
        }
    }

    fn run_one(&mut self, a: Action) {
        let plane = self.plane.clone();
        match a {
            Action::Refresh => self.refresh(),
            Action::Open(name) => self.open(name),
            Action::New => self.editor = Some(Editor::new_function()),
            Action::CloseDialog => self.dialog = None,
            Action::ConfirmPublish => self.dialog = Some(Dialog::Publish),
            Action::ConfirmDelete => self.dialog = Some(Dialog::Delete),
            Action::PreviewStage(s) => {
                self.preview_stage = s;
                self.load_preview();
            }
            Action::Create | Action::Save => {
                let (Some(plane), Some(e)) = (plane, &self.editor) else {
                    return;
                };
                if let Err(c) = &e.check {
                    self.errors.push(format!("Not saved: {c}"));
                    return;
                }
                if let Err(m) = cfconsole_model::functions::check_name("function", &e.name) {
                    self.errors.push(format!("Not saved: {m}"));
                    return;
                }
                let (name, comment, runtime, kvs, code) = (
                    e.name.clone(),
                    e.comment.clone(),
                    e.runtime,
                    e.kvs_arn.clone(),
                    e.code.clone(),
                );
                let (is_new, etag) = (e.is_new, e.etag.clone());
                self.spawn(format!("saving function {name}"), async move {
                    let r = if is_new {
                        plane
                            .create_function(&name, &comment, runtime, kvs, code.clone())
                            .await
                    } else {
                        plane
                            .update_function(&name, &etag, &comment, runtime, kvs, code.clone())
                            .await
                    };
                    Msg::Saved(r.map(|rec| (rec, code)).map_err(|e| e.to_string()))
                });
            }
            Action::Test => {
                let (Some(plane), Some(e)) = (plane, &self.editor) else {
                    return;
                };
                if e.is_edited() {
                    self.errors
                        .push("Save the function first: a test runs the saved code".into());
                    return;
                }
                let event = e.test.event();
                let (name, etag) = (e.name.clone(), e.etag.clone());
                self.spawn(format!("testing function {name}"), async move {
                    let sent = event.to_json();
                    let r = plane
                        .test_function(&name, &etag, Stage::Development, event)
                        .await;
                    Msg::Tested(r.map(|t| (sent, t)).map_err(|e| e.to_string()))
                });
            }
            Action::Publish => {
                self.dialog = None;
                let (Some(plane), Some(e)) = (plane, &self.editor) else {
                    return;
                };
                let (name, etag) = (e.name.clone(), e.etag.clone());
                self.spawn(format!("publishing function {name}"), async move {
                    let r = plane.publish_function(&name, &etag).await;
                    Msg::Published(r.map_err(|e| e.to_string()))
                });
            }
            Action::Delete => {
                self.dialog = None;
                let (Some(plane), Some(e)) = (plane, &self.editor) else {
                    return;
                };
                let (name, etag) = (e.name.clone(), e.etag.clone());
                self.spawn(format!("deleting function {name}"), async move {
                    let r = plane.delete_function(&name, &etag).await;
                    Msg::Deleted(name, r.map_err(|e| e.to_string()))
                });
            }
            Action::OpenStore(name) => {
                let arn = self.store_arn(&name);
                self.store_view.open = Some(name);
                self.store_view.editing = None;
                if let Some(arn) = arn {
                    self.load_items(&arn);
                }
            }
            Action::CreateStore => {
                let Some(plane) = plane else { return };
                let name = self.store_view.new_store.trim().to_string();
                let comment = self.store_view.new_comment.clone();
                self.spawn(format!("creating store {name}"), async move {
                    let r = plane.create_kvs(&name, &comment, None).await;
                    Msg::StoreCreated(r.map_err(|e| e.to_string()))
                });
            }
            Action::DeleteStore(name) => {
                let Some(plane) = plane else { return };
                let etag = self
                    .stores
                    .value()
                    .and_then(|l| l.iter().find(|s| s.name == name))
                    .map(|s| s.etag.clone())
                    .unwrap_or_default();
                self.spawn(format!("deleting store {name}"), async move {
                    let r = plane.delete_kvs(&name, &etag).await;
                    Msg::StoreDeleted(name, r.map_err(|e| e.to_string()))
                });
            }
            Action::PutItem(key, value) => {
                let Some((plane, arn, etag)) = self.open_store_write(plane) else {
                    return;
                };
                if let Err(e) = cfconsole_functions::kvs::check_item(&key, &value) {
                    self.errors.push(format!("Not put: {e}"));
                    return;
                }
                self.store_view.editing = None;
                self.store_view.new_key.clear();
                self.store_view.new_value.clear();
                self.spawn(format!("putting {key}"), async move {
                    let r = plane.kvs_put(&arn, &etag, &key, &value).await;
                    Msg::Written(arn, r.map_err(|e| e.to_string()))
                });
            }
            Action::DeleteItem(key) => {
                let Some((plane, arn, etag)) = self.open_store_write(plane) else {
                    return;
                };
                self.spawn(format!("deleting {key}"), async move {
                    let r = plane.kvs_delete(&arn, &etag, &key).await;
                    Msg::Written(arn, r.map_err(|e| e.to_string()))
                });
            }
            Action::ImportItems => {
                let Some((plane, arn, etag)) = self.open_store_write(plane) else {
                    return;
                };
                let dialogs = self.dialogs.clone();
                self.spawn("importing items", async move {
                    let filters: &[(&str, &[&str])] = &[("JSON", &["json"])];
                    let Some(path) = dialogs.open_file("Import key value pairs", filters).await
                    else {
                        return Msg::Written(arn, Err("import cancelled".into()));
                    };
                    let r = async {
                        let text = cfconsole_control::file::read_text(&path)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        let items = Items::from_import(&text)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        let puts: Vec<(String, String)> = items
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect();
                        let mut etag = etag;
                        for (p, d) in cfconsole_control::functions::update_batches(&puts, &[]) {
                            etag = plane
                                .kvs_update(&arn, &etag, p, d)
                                .await
                                .map_err(|e| e.to_string())?;
                        }
                        Ok::<_, String>(etag)
                    }
                    .await;
                    Msg::Written(arn, r)
                });
            }
            Action::ExportItems => {
                let Some(items) = self.open_items().map(|k| k.items.to_import()) else {
                    return;
                };
                let name = self.store_view.open.clone().unwrap_or_default();
                let dialogs = self.dialogs.clone();
                self.spawn("exporting items", async move {
                    let Some(path) = dialogs
                        .save_file("Export key value pairs", &format!("{name}.json"))
                        .await
                    else {
                        return Msg::Exported(Err("export cancelled".into()));
                    };
                    let r = std::fs::write(&path, items)
                        .map(|()| path.clone())
                        .map_err(|e| format!("{}: {e}", path.display()));
                    Msg::Exported(r)
                });
            }
        }
    }

    fn store_arn(&self, name: &str) -> Option<String> {
        self.stores
            .value()
            .and_then(|l| l.iter().find(|s| s.name == name))
            .map(|s| s.arn.clone())
    }

    /// The open store's items, as last read.
    pub fn open_items(&self) -> Option<&KvsItems> {
        let arn = self.store_arn(self.store_view.open.as_deref()?)?;
        self.items.get(&arn).and_then(Remote::value)
    }

    fn open_store_write(
        &self,
        plane: Option<Arc<dyn ControlPlane>>,
    ) -> Option<(Arc<dyn ControlPlane>, String, String)> {
        let arn = self.store_arn(self.store_view.open.as_deref()?)?;
        let etag = self.items.get(&arn)?.value()?.etag.clone();
        Some((plane?, arn, etag))
    }
}

/// The lines of `after` against `before`, each `(sign, line)`: `' '` kept, `'-'` gone, `'+'`
/// new (a longest-common-subsequence diff, for the code before Publish).
pub fn line_diff(before: &str, after: &str) -> Vec<(char, String)> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push((' ', a[i].to_string()));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(('+', b[j].to_string()));
            j += 1;
        } else {
            out.push(('-', a[i].to_string()));
            i += 1;
        }
    }
    out
}

fn diff_view(ui: &mut Ui, lines: &[(char, String)], id: &str) {
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(260.0)
        .show(ui, |ui| {
            for (sign, l) in lines {
                let text = RichText::new(format!("{sign} {l}")).monospace();
                match sign {
                    '+' => ui.colored_label(OK, text),
                    '-' => ui.colored_label(ERROR, text),
                    _ => ui.label(text),
                };
            }
        });
}

/// Where `arn` is used: `(distribution id, behavior path, event type)`.
pub fn uses(
    arn: &str,
    name: &str,
    configs: &[(String, &DistributionConfig)],
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (id, c) in configs {
        let mut check = |path: String, l: Option<&cfconsole_model::FunctionAssociations>| {
            for a in l.map(|l| l.items()).unwrap_or_default() {
                if a.function_arn == arn
                    || cfconsole_control::functions::function_name(&a.function_arn) == name
                {
                    out.push((id.clone(), path.clone(), a.event_type.as_str().to_string()));
                }
            }
        };
        check(
            "Default (*)".into(),
            c.default_cache_behavior.function_associations.as_ref(),
        );
        for b in c.cache_behaviors.iter().flat_map(|l| l.iter()) {
            check(b.path_pattern.clone(), b.function_associations.as_ref());
        }
    }
    out
}

impl Functions {
    /// The functions list (left panel).
    pub fn list_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if ui.button("Create function").clicked() {
                self.act(Action::New);
            }
            if ui.button("Refresh functions").clicked() {
                self.act(Action::Refresh);
            }
        });
        if let Remote::Failed { error, .. } = &self.list {
            ui.colored_label(ERROR, format!("Error: {error}"));
        }
        if self.list.value().is_none() && matches!(self.list, Remote::Pending(_)) {
            ui.spinner();
        }
        let open = self.editor.as_ref().map(|e| e.name.clone());
        let mut clicked = None;
        if let Some(list) = self.list.value() {
            if list.is_empty() {
                ui.label(RichText::new("No functions yet.").weak());
            }
            for f in list {
                let live = if self.live.contains_key(&f.name) {
                    "LIVE"
                } else {
                    "DEVELOPMENT only"
                };
                let text = format!("{}\n{} · {} · {live}", f.name, f.runtime, f.status);
                if ui
                    .selectable_label(open.as_deref() == Some(&f.name), text)
                    .clicked()
                {
                    clicked = Some(f.name.clone());
                }
            }
        }
        if let Some(n) = clicked {
            self.act(Action::Open(n));
        }
    }

    /// The open function (central panel); `configs` are the distributions loaded, to say
    /// which behaviors use it.
    pub fn editor_ui(&mut self, ui: &mut Ui, configs: &[(String, &DistributionConfig)]) {
        let stores = self.stores.value().map(Vec::as_slice).unwrap_or_default();
        let live = &self.live;
        let preview_stage = self.preview_stage;
        let mut actions = Vec::new();
        let Some(e) = self.editor.as_mut() else {
            ui.heading("Functions");
            ui.label(
                "CloudFront Functions run JavaScript at the edge on viewer requests and \
                 responses. Pick a function on the left, or create one.",
            );
            preview_stage_ui(ui, preview_stage, &mut actions);
            for a in actions {
                self.act(a);
            }
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("function editor")
            .show(ui, |ui| {
                editor_form(ui, e, stores, live, configs, &mut actions);
                ui.separator();
                preview_stage_ui(ui, preview_stage, &mut actions);
            });
        if let Some(d) = self.dialog.clone() {
            dialog_ui(ui.ctx(), e, &d, &mut actions);
        }
        for a in actions {
            self.act(a);
        }
    }
}

fn preview_stage_ui(ui: &mut Ui, stage: Stage, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let l = ui.label("The preview runs");
        let mut s = stage;
        egui::ComboBox::from_id_salt("preview stage")
            .selected_text(s.as_str())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut s, Stage::Live, "LIVE");
                ui.selectable_value(&mut s, Stage::Development, "DEVELOPMENT");
            })
            .response
            .labelled_by(l.id);
        if s != stage {
            actions.push(Action::PreviewStage(s));
        }
    });
}

fn editor_form(
    ui: &mut Ui,
    e: &mut Editor,
    stores: &[KvsRecord],
    live: &HashMap<String, FunctionRecord>,
    configs: &[(String, &DistributionConfig)],
    actions: &mut Vec<Action>,
) {
    if e.is_new {
        ui.heading("Create function");
    } else {
        ui.heading(format!("Function {}", e.name));
        ui.horizontal(|ui| {
            ui.label(format!(
                "Status {} · {}",
                e.status,
                if live.contains_key(&e.name) {
                    "published to LIVE"
                } else {
                    "never published"
                }
            ));
            // Monospace: an ETag always takes the same room (snapshots mask it).
            ui.label(RichText::new(format!("DEVELOPMENT ETag {}", e.etag)).monospace());
        });
    }
    egui::Grid::new("function fields")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label("Function name");
            if e.is_new {
                ui.add(
                    egui::TextEdit::singleline(&mut e.name).hint_text("letters, digits, - and _"),
                )
                .labelled_by(l.id);
            } else {
                ui.label(RichText::new(&e.name).monospace())
                    .labelled_by(l.id);
            }
            ui.end_row();
            if e.is_new
                && !e.name.is_empty()
                && let Err(m) = cfconsole_model::functions::check_name("function", &e.name)
            {
                ui.label("");
                ui.colored_label(ERROR, m);
                ui.end_row();
            }
            let l = ui.label("Description");
            ui.add(egui::TextEdit::singleline(&mut e.comment).desired_width(380.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Runtime");
            egui::ComboBox::from_id_salt("function runtime")
                .selected_text(e.runtime.as_str())
                .show_ui(ui, |ui| {
                    for r in Runtime::ALL {
                        ui.selectable_value(&mut e.runtime, r, r.as_str());
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Key value store");
            let shown = e
                .kvs_arn
                .as_ref()
                .and_then(|a| stores.iter().find(|s| s.arn == *a))
                .map(|s| s.name.clone())
                .or_else(|| e.kvs_arn.clone())
                .unwrap_or_else(|| "None".into());
            egui::ComboBox::from_id_salt("function store")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut e.kvs_arn, None, "None");
                    for s in stores {
                        ui.selectable_value(&mut e.kvs_arn, Some(s.arn.clone()), &s.name);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
        });
    ui.add_space(6.0);
    code_editor(ui, e);
    ui.horizontal(|ui| {
        let can_save = e.check.is_ok() && e.is_edited() && !e.name.is_empty();
        let label = if e.is_new { "Create" } else { "Save changes" };
        if ui.add_enabled(can_save, egui::Button::new(label)).clicked() {
            actions.push(if e.is_new {
                Action::Create
            } else {
                Action::Save
            });
        }
        if !e.is_new {
            let can_publish = !e.is_edited() && e.live.as_deref() != Some(e.saved.as_str());
            if ui
                .add_enabled(can_publish, egui::Button::new("Publish"))
                .on_disabled_hover_text(
                    "Save first; a function whose LIVE code is its saved code has nothing to \
                     publish",
                )
                .clicked()
            {
                actions.push(Action::ConfirmPublish);
            }
            if ui.button("Delete function").clicked() {
                actions.push(Action::ConfirmDelete);
            }
        }
        if e.is_edited() {
            ui.colored_label(WARNING, "Unsaved changes");
        }
    });
    if !e.is_new {
        ui.separator();
        test_panel(ui, e, actions);
        ui.separator();
        ui.label(RichText::new("Used by").strong());
        let arn_of = |name: &str| format!("function/{name}");
        let found = uses(&arn_of(&e.name), &e.name, configs);
        if found.is_empty() {
            ui.label(RichText::new("No loaded distribution associates this function.").weak());
        }
        for (id, path, ev) in found {
            ui.label(format!("{id} · behavior {path} · {ev}"));
        }
    }
}

fn code_editor(ui: &mut Ui, e: &mut Editor) {
    let error_line = e.check.as_ref().err().and_then(|c| c.line);
    let l = ui.label(RichText::new("Function code").strong());
    if let Err(c) = &e.check {
        let at = c.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        ui.colored_label(ERROR, format!("{at}{} ({})", c.message, c.code));
    } else {
        ui.colored_label(OK, "The code passes CloudFront's checks.");
    }
    ui.label(
        RichText::new(format!(
            "{} of {} bytes",
            e.code.len(),
            cfconsole_functions::MAX_CODE_BYTES
        ))
        .weak(),
    );
    let theme = egui_extras::syntax_highlighting::CodeTheme::from_memory(ui.ctx(), ui.style());
    let mut layouter = |ui: &Ui, buf: &dyn egui::TextBuffer, wrap: f32| {
        let mut job = egui_extras::syntax_highlighting::highlight(
            ui.ctx(),
            ui.style(),
            &theme,
            buf.as_str(),
            "js",
        );
        job.wrap.max_width = wrap;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    egui::ScrollArea::vertical()
        .id_salt("code")
        .max_height(360.0)
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                let lines = e.code.lines().count().max(1) + usize::from(e.code.ends_with('\n'));
                let mut numbers = egui::text::LayoutJob::default();
                for n in 1..=lines {
                    let color = if Some(n as u32) == error_line {
                        ERROR
                    } else {
                        ui.visuals().weak_text_color()
                    };
                    numbers.append(
                        &format!("{n:>3}\n"),
                        0.0,
                        egui::TextFormat::simple(
                            egui::TextStyle::Monospace.resolve(ui.style()),
                            color,
                        ),
                    );
                }
                ui.label(numbers);
                ui.add(
                    egui::TextEdit::multiline(&mut e.code)
                        .code_editor()
                        .desired_rows(18)
                        .desired_width(f32::INFINITY)
                        .layouter(&mut layouter),
                )
                .labelled_by(l.id);
            });
        });
}

fn test_panel(ui: &mut Ui, e: &mut Editor, actions: &mut Vec<Action>) {
    ui.label(RichText::new("Test function").strong());
    ui.label(RichText::new("Runs the saved DEVELOPMENT code on this event (TestFunction).").weak());
    let t = &mut e.test;
    egui::Grid::new("test event").num_columns(2).show(ui, |ui| {
        let l = ui.label("Event type");
        egui::ComboBox::from_id_salt("test event type")
            .selected_text(t.event_type.as_str())
            .show_ui(ui, |ui| {
                ui.selectable_value(
                    &mut t.event_type,
                    EventType::ViewerRequest,
                    "viewer-request",
                );
                ui.selectable_value(
                    &mut t.event_type,
                    EventType::ViewerResponse,
                    "viewer-response",
                );
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        for (label, value) in [
            ("HTTP method", &mut t.method),
            ("URL path", &mut t.uri),
            ("Query string", &mut t.query),
            ("Cookies", &mut t.cookies),
            ("Viewer IP", &mut t.viewer_ip),
        ] {
            let l = ui.label(label);
            ui.text_edit_singleline(value).labelled_by(l.id);
            ui.end_row();
        }
        if t.event_type == EventType::ViewerResponse {
            let l = ui.label("Response status");
            ui.text_edit_singleline(&mut t.status).labelled_by(l.id);
            ui.end_row();
        }
        let l = ui.label("Headers");
        ui.add(egui::TextEdit::multiline(&mut t.headers).desired_rows(3))
            .labelled_by(l.id);
        ui.end_row();
    });
    if ui
        .add_enabled(!e.is_edited(), egui::Button::new("Test"))
        .on_disabled_hover_text("Save the function first: a test runs the saved code")
        .clicked()
    {
        actions.push(Action::Test);
    }
    let Some((sent, r)) = &e.result else {
        return;
    };
    ui.horizontal(|ui| {
        match &r.error {
            Some(err) => ui.colored_label(ERROR, format!("Execution error: {err}")),
            None => ui.colored_label(OK, "The function ran"),
        };
        ui.label(format!("Compute utilization {}", r.compute_utilization));
    });
    if !r.logs.is_empty() {
        ui.label(RichText::new("Console output").strong());
        for l in &r.logs {
            ui.label(RichText::new(l).monospace());
        }
    }
    if !r.output.is_empty() {
        let out: serde_json::Value = serde_json::from_str(&r.output).unwrap_or_default();
        let (kind, after) = match out.as_object().and_then(|o| o.iter().next()) {
            Some((k, v)) => (k.clone(), v.clone()),
            None => ("output".into(), out.clone()),
        };
        let before = if kind == "request" {
            sent.get("request").cloned().unwrap_or_default()
        } else {
            sent.get("response").cloned().unwrap_or_default()
        };
        let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
        ui.label(RichText::new(format!("Function output ({kind}): what changed")).strong());
        diff_view(
            ui,
            &line_diff(&pretty(&before), &pretty(&after)),
            "test diff",
        );
    }
}

fn dialog_ui(ctx: &egui::Context, e: &Editor, d: &Dialog, actions: &mut Vec<Action>) {
    let title = match d {
        Dialog::Publish => format!("Publish {}", e.name),
        Dialog::Delete => format!("Delete {}", e.name),
    };
    egui::Window::new(title)
        .collapsible(false)
        .resizable(true)
        .show(ctx, |ui| {
            match d {
                Dialog::Publish => {
                    ui.label(
                        "Publishing copies DEVELOPMENT to LIVE: every cache behavior that \
                         associates the function runs the new code. The code's changes:",
                    );
                    let live = e.live.clone().unwrap_or_default();
                    diff_view(ui, &line_diff(&live, &e.saved), "publish diff");
                }
                Dialog::Delete => {
                    ui.label(
                        "The function is deleted at both stages. A function a cache behavior \
                         associates cannot be deleted (FunctionInUse).",
                    );
                }
            }
            ui.horizontal(|ui| {
                let (label, action) = match d {
                    Dialog::Publish => ("Publish to LIVE", Action::Publish),
                    Dialog::Delete => ("Delete", Action::Delete),
                };
                if ui.button(label).clicked() {
                    actions.push(action);
                }
                if ui.button("Cancel").clicked() {
                    actions.push(Action::CloseDialog);
                }
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_diff_marks_kept_gone_and_new_lines() {
        let d = line_diff("a\nb\nc", "a\nx\nc\nd");
        let signs: String = d.iter().map(|(s, _)| *s).collect();
        assert_eq!(signs, " +- +");
        assert_eq!(d.iter().filter(|(s, _)| *s == '+').count(), 2);
        assert_eq!(d.iter().filter(|(s, _)| *s == '-').count(), 1);
    }

    #[test]
    fn the_test_form_makes_the_event_cloudfront_tests_with() {
        let t = TestForm {
            query: "?a=1&a=2&b".into(),
            cookies: "id=7; ab=b".into(),
            headers: "Host: example.com\nX-A: 1".into(),
            ..TestForm::default()
        };
        let e = t.event();
        assert_eq!(e.request.uri, "/about");
        assert_eq!(
            e.request.querystring,
            vec![
                ("a".to_string(), vec!["1".to_string(), "2".to_string()]),
                ("b".to_string(), vec![String::new()])
            ]
        );
        assert_eq!(
            e.request.headers[0],
            ("host".into(), vec!["example.com".into()])
        );
        assert_eq!(e.request.cookies.len(), 2);
        assert!(e.response.is_none());
    }
}
