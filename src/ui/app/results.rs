//! What the app does with a finished task's result, and the once-per-frame tick that drains
//! them and writes the drafts that are due.

use std::path::PathBuf;
use std::time::Instant;

use cfconsole_control::{DistributionRecord, is_deployed};
use eframe::egui;

use super::ConsoleApp;
use super::tasks::Msg;
use crate::backend::BackendChoice;
use crate::ui::command::Command;
use crate::ui::dialogs::Dialog;
use crate::ui::draft::{Draft, DraftStore};
use crate::ui::remote::Remote;
use crate::ui::state::Tab;
use crate::ui::style;

impl ConsoleApp {
    /// Applies finished tasks' results and writes the drafts that are due: once per frame,
    /// before it is drawn (eframe's `logic`).
    pub fn tick(&mut self, ctx: &egui::Context) {
        if !self.fonts_installed {
            self.fonts_installed = true;
            self.work.jobs.set_context(ctx);
            style::install_fonts(ctx);
        }
        for msg in self.work.tasks.drain() {
            self.apply(msg);
        }
        // The open distribution's invalidations are followed whatever the tab.
        if let Some(id) = self.state.selected.clone()
            && self.server.backend.is_some()
        {
            self.invalidations.open_distribution(&id);
        }
        self.invalidations.tick(ctx);
        self.functions.tick();
        for n in std::mem::take(&mut self.functions.notices) {
            self.notice(n);
        }
        for e in std::mem::take(&mut self.functions.errors) {
            self.banner_error(e);
        }
        // The preview runs the account's functions, and follows every change to them.
        if self.functions.preview_generation != self.preview.functions_generation {
            self.preview.set_functions(
                self.functions.preview_set.clone(),
                self.functions.preview_generation,
            );
        }
        self.access.tick();
        for n in std::mem::take(&mut self.access.notices) {
            self.notice(n);
        }
        for e in std::mem::take(&mut self.access.errors) {
            self.banner_error(e);
        }
        // The preview checks signed URLs against the account's key groups and signs origin
        // requests with its OACs, and follows every change to them.
        if self.access.generation != self.preview.access_generation {
            self.preview.set_access(
                self.access.trusted.clone(),
                self.access.origin_access.clone(),
                self.access.key_choices(),
                self.access.generation,
            );
        }
        let draft = self
            .state
            .selected
            .as_ref()
            .and_then(|id| self.edits.drafts.get(id))
            .map(|d| (d.id.as_str(), &d.config));
        let visible = self.state.tab == Tab::Preview;
        self.preview.tick(ctx, draft, visible);
        for n in std::mem::take(&mut self.invalidations.notices) {
            self.notice(n);
        }
        for e in std::mem::take(&mut self.invalidations.errors) {
            self.banner_error(e);
        }
        let now = Instant::now();
        let due: Vec<String> = self
            .edits
            .drafts
            .values()
            .filter(|d| d.save_due.is_some_and(|t| t <= now))
            .map(|d| d.id.clone())
            .collect();
        for id in due {
            self.save_draft(&id);
        }
        if let Some(next) = self.edits.drafts.values().filter_map(|d| d.save_due).min() {
            ctx.request_repaint_after(next.saturating_duration_since(now));
        }
    }

    pub(super) fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Connected(Ok(b), vault) => {
                self.invalidations.set_plane(Some(b.plane.clone()));
                self.functions.set_plane(Some(b.plane.clone()));
                self.access.set_plane(Some(b.plane.clone()));
                let profile = match &self.state.backend {
                    BackendChoice::Aws { profile, .. } => profile.clone(),
                    BackendChoice::Local(_) => None,
                };
                self.access
                    .set_credentials(crate::credentials::default_chain(profile));
                // A local workspace's folders named after an origin (the sample's `sample-site/`)
                // are that origin's default in the Preview tab.
                self.preview.workspace = b.key.strip_prefix("local:").map(PathBuf::from);
                self.edits.store =
                    Some(DraftStore::new(&self.options.data_dir, &b.key).with_vault(vault));
                self.server.backend = Some(b);
                self.refresh_list();
                if let Some(id) = self.state.selected.clone() {
                    self.load(&id);
                }
            }
            Msg::Connected(Err(e), _) => {
                self.server.list.finish(Err(e.clone()));
                self.banner_error(e);
            }
            Msg::List(r) => {
                let first = self.server.list.value().is_none();
                if let Err(e) = &r {
                    self.banner_error(format!("The distribution list could not be loaded: {e}"));
                }
                let r = r.map(|(items, unreadable)| {
                    for u in unreadable {
                        self.banner_error(format!(
                            "A distribution in the workspace cannot be \
                            read: {u}"
                        ));
                    }
                    items
                });
                self.server.list.finish(r);
                if let Some(list) = self.server.list.value() {
                    // Follow whatever is deploying, so its status updates itself.
                    let deploying: Vec<String> = list
                        .iter()
                        .filter(|d| !is_deployed(&d.status))
                        .map(|d| d.id.clone())
                        .filter(|id| !self.work.following.contains_key(id))
                        .collect();
                    let known = self
                        .state
                        .selected
                        .as_ref()
                        .is_some_and(|s| list.iter().any(|d| &d.id == s));
                    let first_id = list.first().map(|d| d.id.clone());
                    for id in deploying {
                        self.follow(id);
                    }
                    if first
                        && !known
                        && let Some(id) = first_id
                    {
                        self.select(id);
                    }
                }
            }
            Msg::Loaded(id, r) => {
                if let Ok(rec) = &r {
                    self.on_record(rec.clone(), false);
                } else if let Err(e) = &r {
                    self.banner_error(format!("{id} could not be loaded: {e}"));
                }
                self.server
                    .records
                    .entry(id)
                    .or_insert(Remote::Idle)
                    .finish(r);
            }
            Msg::Published(id, Ok(rec)) => {
                self.notice(format!(
                    "Published {id}: deploying to the edge locations (status {})",
                    rec.distribution.status
                ));
                self.on_record(rec, true);
                self.follow(id);
            }
            Msg::Published(id, Err(e)) => self.banner_error(format!("{id} was not published: {e}")),
            Msg::Conflict(id, Ok(server)) => {
                self.chrome.dialog = Some(Dialog::Conflict {
                    id,
                    server: Box::new(server),
                });
            }
            Msg::Conflict(id, Err(e)) => self.banner_error(format!(
                "{id} was changed elsewhere since you opened it, and reading its new version \
                    failed: {e}"
            )),
            Msg::Status(id, status) => self.set_status(&id, &status),
            Msg::Deployed(id, r) => {
                self.work.following.remove(&id);
                match r {
                    Ok(rec) => {
                        let status = rec.distribution.status.clone();
                        self.set_status(&id, &status);
                        if let Some(slot) = self.server.records.get_mut(&id)
                            && let Some(v) = slot.value_mut()
                        {
                            v.distribution.status = status;
                        }
                        if !self.work.deleting.contains_key(&id) {
                            self.notice(format!("{id} is deployed"));
                        }
                    }
                    Err(e) => self.banner_error(format!("following {id}'s deployment failed: {e}")),
                }
            }
            Msg::Created(Ok(rec)) => {
                let id = rec.distribution.id.clone();
                self.notice(format!("Created {id} ({})", rec.distribution.domain_name));
                self.on_record(rec, true);
                self.refresh_list();
                self.select(id.clone());
                self.follow(id);
            }
            Msg::Created(Err(e)) => self.banner_error(format!(
                "The distribution was not created: \
                {e}"
            )),
            Msg::DeleteStep(id, step) => {
                self.work.deleting.insert(id, step);
            }
            Msg::Deleted(id, r) => {
                self.work.deleting.remove(&id);
                match r {
                    Ok(()) => {
                        self.notice(format!("Deleted {id}"));
                        self.edits.drafts.remove(&id);
                        self.server.records.remove(&id);
                        if let Some(store) = &self.edits.store {
                            let _ = store.remove(&id);
                        }
                        if self.state.selected.as_deref() == Some(&id) {
                            self.state.selected = None;
                        }
                        if let Some(list) = self.server.list.value_mut() {
                            list.retain(|d| d.id != id);
                        }
                        self.refresh_list();
                    }
                    Err(e) => self.banner_error(format!("{id} was not deleted: {e}")),
                }
            }
            Msg::Saved(id, r) => match r {
                Ok(at) => {
                    if let Some(d) = self.edits.drafts.get_mut(&id) {
                        d.saved_at = Some(at);
                    }
                }
                Err(e) => self.banner_error(e),
            },
            Msg::Imported(Ok((path, doc))) => {
                let now = Instant::now();
                if let Some(d) = self.current_draft_mut() {
                    let mut config = doc.config;
                    // The distribution's identity stays; everything else comes from the file.
                    config.caller_reference = d.config.caller_reference.clone();
                    d.replace(config, now);
                    self.notice(format!(
                        "Imported {} into the draft (undo with Ctrl+Z)",
                        path.display()
                    ));
                } else {
                    self.banner_error("Open a distribution first: an import replaces its draft");
                }
            }
            Msg::Imported(Err(e)) => self.banner_error(e),
            Msg::Exported(Ok((path, notes))) => {
                let mut m = format!("Exported to {}", path.display());
                for n in notes {
                    m.push_str(&format!("\n  note: {n}"));
                }
                self.notice(m);
            }
            Msg::Exported(Err(e)) => self.banner_error(e),
            Msg::Policies(kind, r) => {
                if let Err(e) = &r {
                    self.banner_error(format!(
                        "Custom {} policies could not be listed: {e}",
                        style::policy_kind_words(kind)
                    ));
                }
                self.server
                    .policies
                    .entry(kind)
                    .or_insert(Remote::Idle)
                    .finish(r);
                // The running preview resolves custom policies from what is listed now.
                if let Some(run) = &self.preview.running {
                    run.control()
                        .set_policies(crate::ui::tabs::preview::policy_set(&self.server.policies));
                    let _ = run.control().swap(run.config.clone());
                }
            }
            Msg::PolicySaved(Ok(p)) => {
                let kind = p.config.kind();
                self.notice(format!("Saved policy {} ({})", p.config.name(), p.id));
                self.chrome.view.policies.editing = None;
                self.command(Command::LoadPolicies(kind));
            }
            Msg::PolicySaved(Err(e)) => self.banner_error(format!("The policy was not saved: {e}")),
            Msg::Tags(id, r) => {
                if let Err(e) = &r {
                    self.banner_error(format!("The tags of {id} could not be read: {e}"));
                }
                self.server.tags.entry(id).or_insert(Remote::Idle).finish(r);
            }
            Msg::TagsSaved(id, r) => {
                match &r {
                    Ok(_) => self.notice(format!("Saved the tags of {id}")),
                    Err(e) => self.banner_error(format!("The tags of {id} were not saved: {e}")),
                }
                if r.is_ok() {
                    // The editor starts again from what the backend now has.
                    self.chrome.view.tags = None;
                }
                self.server.tags.entry(id).or_insert(Remote::Idle).finish(r);
            }
            Msg::WorkspacePicked(p) => {
                self.chrome.dialog = None;
                self.connect(BackendChoice::Local(Some(p)));
            }
            Msg::Cancelled => {}
        }
    }

    /// A record arrived: make or refresh its draft, and offer a saved draft back.
    pub(super) fn on_record(&mut self, rec: DistributionRecord, published: bool) {
        let id = rec.distribution.id.clone();
        let status = rec.distribution.status.clone();
        let config = rec.distribution.distribution_config.clone();
        let now = Instant::now();
        match self.edits.drafts.get_mut(&id) {
            Some(d) if published => {
                d.rebase(config, rec.etag.clone(), now);
            }
            Some(_) => {}
            None => {
                let d = Draft::new(id.clone(), config, rec.etag.clone());
                self.edits.drafts.insert(id.clone(), d);
                if let Some(store) = &self.edits.store {
                    match store.load(&id) {
                        Ok(Some(file)) if file.draft != rec.distribution.distribution_config => {
                            if self.state.selected.as_deref() == Some(&id) {
                                self.edits.offered = Some(file);
                            }
                        }
                        Ok(_) => {}
                        Err(e) => self.banner_error(e),
                    }
                }
            }
        }
        self.set_status(&id, &status);
        if let Some(list) = self.server.list.value_mut()
            && let Some(row) = list.iter_mut().find(|d| d.id == id)
        {
            let c = &rec.distribution.distribution_config;
            row.enabled = c.enabled;
            row.comment = c.comment.clone();
            row.aliases = c
                .aliases
                .as_ref()
                .map(|a| a.items().to_vec())
                .unwrap_or_default();
        }
        self.server.records.insert(id, Remote::Ready(rec));
    }

    pub(super) fn set_status(&mut self, id: &str, status: &str) {
        if let Some(list) = self.server.list.value_mut()
            && let Some(row) = list.iter_mut().find(|d| d.id == id)
        {
            row.status = status.to_string();
        }
    }
}
