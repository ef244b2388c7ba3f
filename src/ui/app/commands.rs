//! Running the commands views pushed during a frame.

use std::time::Instant;

use cfconsole_model::{Document, ExportFormat, ExportOptions, Form};

use super::ConsoleApp;
use super::tasks::Msg;
use crate::backend::caller_reference;
use crate::ui::command::Command;
use crate::ui::dialogs::Dialog;
use crate::ui::draft::Draft;
use crate::ui::merge;
use crate::ui::remote::Remote;
use crate::ui::state::Tab;
use crate::ui::style;

impl ConsoleApp {
    pub(super) fn run_commands(&mut self) {
        let commands = self.work.commands.take();
        for c in commands {
            self.run_command(c);
        }
    }

    pub(super) fn run_command(&mut self, c: Command) {
        let now = Instant::now();
        match c {
            Command::Select(id) => self.select(id),
            Command::Refresh => {
                self.refresh_list();
                if let Some(id) = self.state.selected.clone() {
                    if !self.current_draft().is_some_and(Draft::is_edited) {
                        self.edits.drafts.remove(&id);
                    }
                    self.load(&id);
                }
            }
            Command::Review => {
                if self.current_draft().is_some() {
                    self.chrome.dialog = Some(Dialog::Review);
                }
            }
            Command::Publish => self.publish(),
            Command::Discard => {
                if let Some(d) = self.current_draft_mut() {
                    let base = d.base.clone();
                    d.replace(base, now);
                }
            }
            Command::Undo => {
                if let Some(d) = self.current_draft_mut() {
                    d.undo(now);
                }
            }
            Command::Redo => {
                if let Some(d) = self.current_draft_mut() {
                    d.redo(now);
                }
            }
            Command::SaveNow => {
                if let Some(id) = self.state.selected.clone() {
                    self.save_draft(&id);
                }
            }
            Command::Focus(path) => {
                self.state.tab = Tab::of_path(&path);
                self.chrome.view.expand_for(&path);
                self.chrome.focus = Some(path);
            }
            Command::NewDialog => self.chrome.dialog = Some(Dialog::New(Default::default())),
            Command::Create(config) => {
                let Some(plane) = self.plane() else { return };
                self.chrome.dialog = None;
                self.spawn("creating a distribution", async move {
                    Msg::Created(
                        plane
                            .create_distribution(*config)
                            .await
                            .map_err(|e| e.to_string()),
                    )
                });
            }
            Command::Duplicate => {
                let Some(d) = self.current_draft() else {
                    return;
                };
                let mut config = d.config.clone();
                config.caller_reference = caller_reference();
                config.comment = format!("Copy of {}", d.id);
                // Alternate domain names belong to one distribution at a time (CNAMEAlreadyExists).
                if config.aliases.as_ref().is_some_and(|a| !a.is_empty()) {
                    config.aliases = Some(Default::default());
                    self.notice(
                        "The copy has no alternate domain names: each belongs to one distribution",
                    );
                }
                self.run_command(Command::Create(Box::new(config)));
            }
            Command::Delete(id) => self.delete(id),
            Command::Import => {
                let dialogs = self.options.dialogs.clone();
                self.spawn("importing", async move {
                    let Some(path) = dialogs
                        .open_file(
                            "Import a distribution configuration",
                            &[("JSON", &["json"])],
                        )
                        .await
                    else {
                        return Msg::Cancelled;
                    };
                    let read = path.clone();
                    let r = tokio::task::spawn_blocking(move || {
                        cfconsole_control::file::read_text(&read)
                    })
                    .await
                    .unwrap_or_else(|e| Err(std::io::Error::other(e)))
                    .map_err(|e| format!("{} cannot be read: {e}", path.display()))
                    .and_then(|t| {
                        Document::from_json(&t).map_err(|e| format!("{}: {e}", path.display()))
                    })
                    .map(|d| (path, d));
                    Msg::Imported(r)
                });
            }
            Command::Export(format, include_secrets) => {
                let Some(d) = self.current_draft() else {
                    return;
                };
                let doc = Document {
                    config: d.config.clone(),
                    etag: Some(d.etag.clone()),
                    distribution: None,
                    location: None,
                    form: Form::GetDistributionConfig,
                };
                let name = format!(
                    "{}.{}",
                    d.id,
                    match format {
                        ExportFormat::CliJson => "json",
                        ExportFormat::CloudFormation => "cfn.json",
                        ExportFormat::Terraform => "tf",
                    }
                );
                let out = match cfconsole_model::export(
                    &doc,
                    format,
                    &ExportOptions {
                        include_secrets,
                        ..Default::default()
                    },
                ) {
                    Ok(out) => out,
                    Err(e) => return self.banner_error(e.to_string()),
                };
                let dialogs = self.options.dialogs.clone();
                self.spawn("exporting", async move {
                    let Some(path) = dialogs.save_file("Export the draft", &name).await else {
                        return Msg::Cancelled;
                    };
                    let mut notes = out.notes;
                    if !out.redacted.is_empty() {
                        notes.push(format!(
                            "{} custom header value(s) withheld (export with secrets to include \
                                them)",
                            out.redacted.len()
                        ));
                    }
                    let r = tokio::fs::write(&path, out.text)
                        .await
                        .map(|()| (path.clone(), notes))
                        .map_err(|e| format!("{} cannot be written: {e}", path.display()));
                    Msg::Exported(r)
                });
            }
            Command::Connect(choice) => {
                self.chrome.dialog = None;
                self.connect(choice);
            }
            Command::ChooseWorkspace => {
                let dialogs = self.options.dialogs.clone();
                self.spawn("choosing a workspace", async move {
                    match dialogs.pick_folder("Choose a workspace folder").await {
                        Some(p) => Msg::WorkspacePicked(p),
                        None => Msg::Cancelled,
                    }
                });
            }
            Command::RestoreDraft => {
                if let Some(file) = self.edits.offered.take() {
                    let id = file.id.clone();
                    let mut d = Draft::restored(file);
                    if let Some(Remote::Ready(rec)) = self.server.records.get(&id) {
                        // Publishing must send the ETag the draft was started from: if the
                        // server moved on since, the conflict dialog explains it.
                        d.set_base(rec.distribution.distribution_config.clone());
                        if d.etag != rec.etag {
                            self.notice(format!(
                                "{id} changed on the server since this draft was saved: \
                                    publishing will show what changed"
                            ));
                        }
                    }
                    d.save_due = Some(now);
                    self.edits.drafts.insert(id, d);
                }
            }
            Command::DropSavedDraft => {
                if let (Some(file), Some(store)) = (self.edits.offered.take(), &self.edits.store) {
                    let _ = store.remove(&file.id);
                }
            }
            Command::Reapply => {
                let Some(Dialog::Conflict { id, server }) = self.chrome.dialog.take() else {
                    return;
                };
                let Some(d) = self.edits.drafts.get_mut(&id) else {
                    return;
                };
                match merge::reapply(&d.base, &d.config, &server.distribution.distribution_config) {
                    Ok(m) => {
                        d.rebase(
                            server.distribution.distribution_config.clone(),
                            server.etag.clone(),
                            now,
                        );
                        d.replace(m.config, now);
                        let msg = if m.conflicts.is_empty() {
                            format!(
                                "Your edits were re-applied on {id}'s new version: review and \
                                    publish"
                            )
                        } else {
                            format!(
                                "Your edits were re-applied on {id}'s new version; where both \
                                    changed the same setting your value was kept: {}",
                                m.conflicts.join(", ")
                            )
                        };
                        self.notice(msg);
                        self.chrome.dialog = Some(Dialog::Review);
                    }
                    Err(e) => self.banner_error(format!("Your edits could not be re-applied: {e}")),
                }
            }
            Command::LoadTags(id) => {
                let Some(plane) = self.plane() else { return };
                let slot = self.server.tags.entry(id.clone()).or_insert(Remote::Idle);
                if slot.is_pending() {
                    return;
                }
                slot.start();
                self.spawn(format!("reading the tags of {id}"), async move {
                    let r = plane.list_tags(&id).await.map_err(|e| e.to_string());
                    Msg::Tags(id, r)
                });
            }
            Command::SaveTags(id, tags) => {
                let Some(plane) = self.plane() else { return };
                self.server
                    .tags
                    .entry(id.clone())
                    .or_insert(Remote::Idle)
                    .start();
                self.spawn(format!("saving the tags of {id}"), async move {
                    let r = match plane.set_tags(&id, tags).await {
                        Ok(()) => plane.list_tags(&id).await,
                        Err(e) => Err(e),
                    };
                    Msg::TagsSaved(id, r.map_err(|e| e.to_string()))
                });
            }
            Command::LoadPolicies(kind) => {
                let Some(plane) = self.plane() else { return };
                self.server
                    .policies
                    .entry(kind)
                    .or_insert(Remote::Idle)
                    .start();
                self.spawn(
                    format!("listing {} policies", style::policy_kind_words(kind)),
                    async move {
                        Msg::Policies(
                            kind,
                            plane.list_policies(kind).await.map_err(|e| e.to_string()),
                        )
                    },
                );
            }
            Command::SubmitInvalidation => {
                let dist = self.state.selected.clone().unwrap_or_default();
                let preview = self.preview.cache_for(&dist);
                self.invalidations.submit(preview);
            }
            Command::RefreshInvalidations => self.invalidations.refresh(),
            Command::InvalidationDetails(id) => self.invalidations.details(&id),
            Command::PreviewStart => self.start_preview(),
            Command::PreviewStop => self.preview.stop(),
            Command::PreviewChooseFolder(origin) => self.preview.choose_folder(origin),
            Command::PreviewSend => self.preview.send_test(),
            Command::PreviewInvalidateSelected => self.preview.invalidate_selected(),
            Command::OpenFunction(name) => {
                self.state.page = crate::ui::state::Page::Functions;
                self.functions
                    .act(crate::ui::tabs::functions::Action::Open(name));
            }
            Command::NewOriginAccessControl(name, t) => {
                self.state.page = crate::ui::state::Page::OriginAccess;
                self.access
                    .act(crate::ui::tabs::access::Action::NewOac(Some((name, t))));
            }
            Command::SavePolicy(existing, config) => {
                let Some(plane) = self.plane() else { return };
                self.spawn("saving a policy", async move {
                    let r = match existing {
                        Some((id, etag)) => plane.update_policy(&id, *config, &etag).await,
                        None => plane.create_policy(*config).await,
                    };
                    Msg::PolicySaved(r.map_err(|e| e.to_string()))
                });
            }
        }
    }

    /// Starts the preview of the open draft, with the custom policies listed now.
    fn start_preview(&mut self) {
        let Some(id) = self.state.selected.clone() else {
            return;
        };
        let Some(draft) = self.edits.drafts.get(&id) else {
            return;
        };
        let domain = self
            .server
            .records
            .get(&id)
            .and_then(|r| r.value())
            .map(|r| r.distribution.domain_name.clone())
            .unwrap_or_else(|| format!("{}.cloudfront.net", id.to_lowercase()));
        let policies = crate::ui::tabs::preview::policy_set(&self.server.policies);
        self.preview
            .start(&id, &domain, draft.config.clone(), policies);
    }
}
