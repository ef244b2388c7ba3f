//! The app's tasks: each backend call or file write runs on the runtime through the task
//! bridge, and its result comes back as a [`Msg`] that `results.rs` applies.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use cfconsole_control::poll::{self, CancelToken, Event, Followed};
use cfconsole_control::{
    ControlError, DistributionListItem, DistributionRecord, PolicyKind, PolicyRecord, Tag,
};
use cfconsole_model::Document;

use super::ConsoleApp;
use crate::backend::{self, Backend, BackendChoice};
use crate::ui::remote::Remote;
use crate::ui::secrets::Vault;
use crate::ui::style::plural;

/// Task results. Each is moved once from a task to the UI thread, so the size difference of
/// the variants costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
pub(super) enum Msg {
    /// The backend opened, and the secret store the drafts' header values go to (if any).
    Connected(Result<Backend, String>, Option<Arc<dyn Vault>>),
    List(Result<(Vec<DistributionListItem>, Vec<String>), String>),
    Loaded(String, Result<DistributionRecord, String>),
    Published(String, Result<DistributionRecord, String>),
    Conflict(String, Result<DistributionRecord, String>),
    Status(String, String),
    Deployed(String, Result<DistributionRecord, String>),
    Created(Result<DistributionRecord, String>),
    DeleteStep(String, String),
    Deleted(String, Result<(), String>),
    Saved(String, Result<SystemTime, String>),
    Imported(Result<(PathBuf, Document), String>),
    Exported(Result<(PathBuf, Vec<String>), String>),
    Policies(PolicyKind, Result<Vec<PolicyRecord>, String>),
    PolicySaved(Result<PolicyRecord, String>),
    Tags(String, Result<Vec<Tag>, String>),
    TagsSaved(String, Result<Vec<Tag>, String>),
    WorkspacePicked(PathBuf),
    Cancelled,
}

impl ConsoleApp {
    pub(super) fn spawn<F>(&mut self, what: impl Into<String>, fut: F)
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        self.work.tasks.spawn(what, fut);
    }

    /// A sender for messages that are not the end of a job (progress), with a repaint.
    pub(super) fn progress(&self) -> impl Fn(Msg) + Send + Sync + 'static + Clone {
        self.work.tasks.progress()
    }

    pub(super) fn connect(&mut self, choice: BackendChoice) {
        for (_, c) in self.work.following.drain() {
            c.cancel();
        }
        self.server.backend = None;
        self.invalidations.set_plane(None);
        self.functions.set_plane(None);
        self.access.set_plane(None);
        self.preview.stop();
        self.server.list = Remote::Pending(None);
        self.server.records.clear();
        self.server.tags.clear();
        self.server.policies.clear();
        self.chrome.view.tags = None;
        self.edits.drafts.clear();
        self.edits.offered = None;
        self.state.backend = choice.clone();
        let timings = self.options.local_timings;
        match &choice {
            BackendChoice::Local(Some(p)) => {
                self.state.recent_workspaces.retain(|r| r != p);
                self.state.recent_workspaces.insert(0, p.clone());
                self.state.recent_workspaces.truncate(8);
            }
            BackendChoice::Aws {
                profile: Some(p), ..
            } => {
                self.state.recent_profiles.retain(|r| r != p);
                self.state.recent_profiles.insert(0, p.clone());
                self.state.recent_profiles.truncate(8);
            }
            _ => {}
        }
        let given = self.options.secret_store.clone();
        let find = self.options.find_secret_store;
        self.spawn("connecting", async move {
            // The platform's secret store, looked for off the window's thread (D-Bus may start
            // the service).
            let vault = match given {
                Some(v) => Some(v),
                None if find => tokio::task::spawn_blocking(crate::ui::secrets::platform)
                    .await
                    .ok()
                    .flatten(),
                None => None,
            };
            Msg::Connected(backend::open(choice, timings).await, vault)
        });
    }

    pub(super) fn refresh_list(&mut self) {
        let Some(plane) = self.plane() else { return };
        self.server.list.start();
        self.spawn("loading distributions", async move {
            Msg::List(
                plane
                    .list_distributions()
                    .await
                    .map_err(|e| e.to_string())
                    .map(|l| {
                        let bad = l
                            .unreadable
                            .into_iter()
                            .map(|u| format!("{}: {}", u.id, u.problem))
                            .collect();
                        (l.items, bad)
                    }),
            )
        });
    }

    pub(super) fn load(&mut self, id: &str) {
        let Some(plane) = self.plane() else { return };
        self.server
            .records
            .entry(id.to_string())
            .or_insert(Remote::Idle)
            .start();
        let id = id.to_string();
        self.spawn(format!("loading {id}"), async move {
            let r = plane.get_distribution(&id).await.map_err(|e| e.to_string());
            Msg::Loaded(id, r)
        });
    }

    pub(super) fn select(&mut self, id: String) {
        if self.state.selected.as_deref() != Some(&id) {
            self.edits.offered = None;
        }
        self.state.selected = Some(id.clone());
        if !self.edits.drafts.contains_key(&id) {
            self.load(&id);
        }
    }

    pub(super) fn follow(&mut self, id: String) {
        let Some(plane) = self.plane() else { return };
        if let Some(c) = self.work.following.remove(&id) {
            c.cancel();
        }
        let cancel = CancelToken::new();
        self.work.following.insert(id.clone(), cancel.clone());
        let schedule = self.options.schedule;
        let progress = self.progress();
        self.spawn(format!("deploying {id}"), async move {
            let pid = id.clone();
            let r = poll::wait_deployed(plane.as_ref(), &id, schedule, &cancel, move |e| {
                if let Event::Status(s) = e {
                    progress(Msg::Status(pid.clone(), s));
                }
            })
            .await;
            match r {
                Ok(Followed::Done(rec)) => Msg::Deployed(id, Ok(rec)),
                Ok(Followed::Cancelled) => Msg::Cancelled,
                Err(e) => Msg::Deployed(id, Err(e.to_string())),
            }
        });
    }

    pub(super) fn publish(&mut self) {
        let Some(plane) = self.plane() else { return };
        let Some(draft) = self.current_draft() else {
            return;
        };
        let (errors, _) = draft.counts();
        if errors > 0 {
            self.banner_error(format!(
                "Not published: the draft has {errors} error{} (see the findings beside the \
                    fields); fix them first",
                plural(errors)
            ));
            return;
        }
        if !draft.is_edited() {
            self.notice("Nothing to publish: the draft is the same as what is deployed");
            return;
        }
        // CloudFront refuses an association with a function the account lacks or never
        // published: said here, before anything is sent (once the functions are known).
        if let Some(known) = self.functions.known() {
            let refused: Vec<String> =
                cfconsole_model::check_function_associations(&draft.config, &known)
                    .into_iter()
                    .filter(|f| f.is_error())
                    .map(|f| f.to_string())
                    .collect();
            if !refused.is_empty() {
                self.banner_error(format!("Not published: {}", refused.join("; ")));
                return;
            }
        }
        // Likewise a behavior trusting a key group, or an origin using an OAC, the account lacks.
        if let Some((groups, oacs)) = self.access.known() {
            let refused: Vec<String> =
                cfconsole_model::private::check_private_content_refs(&draft.config, &groups, &oacs)
                    .into_iter()
                    .filter(|f| f.is_error())
                    .map(|f| f.to_string())
                    .collect();
            if !refused.is_empty() {
                self.banner_error(format!("Not published: {}", refused.join("; ")));
                return;
            }
        }
        let (id, config, etag) = (draft.id.clone(), draft.config.clone(), draft.etag.clone());
        self.chrome.dialog = None;
        let checked = self.access.known().is_some();
        self.spawn(format!("publishing {id}"), async move {
            // The key groups and OACs not listed yet: asked of the backend before sending.
            if !checked {
                let refused: Vec<String> =
                    match cfconsole_control::check_private_content(plane.as_ref(), &config).await {
                        Ok(f) => f
                            .into_iter()
                            .filter(|f| f.is_error())
                            .map(|f| f.to_string())
                            .collect(),
                        Err(e) => vec![e.to_string()],
                    };
                if !refused.is_empty() {
                    return Msg::Published(id, Err(refused.join("; ")));
                }
            }
            match plane.update_distribution(&id, config, &etag).await {
                Ok(rec) => Msg::Published(id, Ok(rec)),
                Err(ControlError::PreconditionFailed { .. }) => {
                    let server = plane.get_distribution(&id).await.map_err(|e| e.to_string());
                    Msg::Conflict(id, server)
                }
                Err(e) => Msg::Published(id, Err(e.to_string())),
            }
        });
    }

    pub(super) fn save_draft(&mut self, id: &str) {
        let (Some(store), Some(draft)) = (self.edits.store.clone(), self.edits.drafts.get_mut(id))
        else {
            return;
        };
        draft.save_due = None;
        let now = SystemTime::now();
        let edited = draft.is_edited();
        let file = draft.to_file(now);
        let id = id.to_string();
        self.spawn(format!("saving the draft of {id}"), async move {
            let r = tokio::task::spawn_blocking(move || {
                if edited {
                    store.save(&file)
                } else {
                    store.remove(&file.id)
                }
            })
            .await;
            let r = match r {
                Ok(Ok(())) => Ok(now),
                Ok(Err(e)) => Err(format!("the draft could not be saved: {e}")),
                Err(e) => Err(format!("the draft could not be saved: {e}")),
            };
            Msg::Saved(id, r)
        });
    }

    pub(super) fn delete(&mut self, id: String) {
        let Some(plane) = self.plane() else { return };
        self.chrome.dialog = None;
        let schedule = self.options.schedule;
        let progress = self.progress();
        self.work
            .deleting
            .insert(id.clone(), "step 1 of 3: disabling".into());
        let cancel = CancelToken::new();
        self.spawn(format!("deleting {id}"), async move {
            let r = async {
                let mut rec = plane.get_distribution(&id).await?;
                if rec.distribution.distribution_config.enabled {
                    let mut c = rec.distribution.distribution_config.clone();
                    c.enabled = false;
                    rec = plane.update_distribution(&id, c, &rec.etag).await?;
                    progress(Msg::Status(id.clone(), rec.distribution.status.clone()));
                }
                progress(Msg::DeleteStep(
                    id.clone(),
                    "step 2 of 3: waiting for Deployed".into(),
                ));
                let p2 = progress.clone();
                let pid = id.clone();
                let done = poll::wait_deployed(plane.as_ref(), &id, schedule, &cancel, move |e| {
                    if let Event::Status(s) = e {
                        p2(Msg::Status(pid.clone(), s));
                    }
                })
                .await?;
                if let Followed::Done(r) = done {
                    rec = r;
                }
                progress(Msg::Status(id.clone(), rec.distribution.status.clone()));
                progress(Msg::DeleteStep(id.clone(), "step 3 of 3: deleting".into()));
                plane.delete_distribution(&id, &rec.etag).await
            }
            .await;
            Msg::Deleted(id, r.map_err(|e| e.to_string()))
        });
    }
}
