//! The account's private-content resources: public keys, key groups and origin access (OACs,
//! and the legacy origin access identities read-only), three pages of the left-hand navigation
//! as in the CloudFront console. This module holds what they show and runs their backend calls
//! (its own [`Tasks`], like the Functions pages); the views (`access_views.rs`) draw from it and
//! record [`Action`]s, which [`Access::run`] carries out after the frame is drawn.
//!
//! The preview: [`Access::trusted`] is the account's key groups with their keys parsed, made
//! again after every change, so the running preview checks signed URLs against them; and
//! [`Access::origin_access`] is the account's OACs, for the preview's signing of origin
//! requests.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use cfconsole_control::{
    ControlError, ControlPlane, KeyGroupRecord, OacRecord, OaiRecord, PublicKeyRecord,
};
use cfconsole_edge::oac::OacSigning;
use cfconsole_model::private::{
    KeyGroupConfig, OacOriginType, OriginAccessControlConfig, PublicKeyConfig, SigningBehavior,
    SigningProtocol,
};
use cfconsole_model::{DistributionConfig, Finding, KnownKeyGroup, KnownOac};

use crate::ui::files::FileDialogs;
use crate::ui::remote::Remote;
use crate::ui::task::{Jobs, Tasks};

pub(crate) enum Msg {
    Listed(Result<Lists, String>),
    KeySaved(Result<PublicKeyRecord, String>),
    KeyDeleted(String, Result<(), String>),
    GroupSaved(Result<KeyGroupRecord, String>),
    GroupDeleted(String, Result<(), String>),
    OacSaved(Result<OacRecord, String>),
    OacDeleted(String, Result<(), String>),
    PemRead(Result<(PathBuf, String), String>),
    /// An item opened, read again with its ETag (lists from AWS carry none).
    Opened(Result<OpenedItem, String>),
}

/// An item read with its ETag.
pub(crate) enum OpenedItem {
    Key(PublicKeyRecord),
    Group(KeyGroupRecord),
    Oac(OacRecord),
}

/// Everything the three pages list, read together.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub keys: Vec<PublicKeyRecord>,
    pub groups: Vec<KeyGroupRecord>,
    pub oacs: Vec<OacRecord>,
    pub oais: Vec<OaiRecord>,
}

/// What the views ask for; [`Access::run`] carries it out.
#[derive(Debug, Clone)]
pub enum Action {
    Refresh,
    OpenKey(String),
    NewKey,
    ChoosePem,
    CreateKey,
    SaveKeyComment,
    DeleteKey(String),
    OpenGroup(String),
    NewGroup,
    SaveGroup,
    DeleteGroup(String),
    OpenOac(String),
    /// A new OAC, its name and origin type given (the Origins tab's "Create").
    NewOac(Option<(String, OacOriginType)>),
    SaveOac,
    DeleteOac(String),
}

/// The account's public keys (parsed) and key groups, from which the preview's
/// [`TrustedKeys`](cfconsole_signing::TrustedKeys) are made (each edge gets its own, with its
/// own set of verified signatures).
#[derive(Clone, Default)]
pub struct KeyMaterial {
    pub keys: Vec<(String, cfconsole_signing::PublicKey)>,
    pub groups: Vec<(String, Vec<String>)>,
}

impl KeyMaterial {
    /// The keys and groups as an edge checks signatures with them.
    pub fn trusted(&self) -> cfconsole_signing::TrustedKeys {
        let mut t = cfconsole_signing::TrustedKeys::default();
        for (id, k) in &self.keys {
            t.add_key(id.clone(), k.clone());
        }
        for (id, keys) in &self.groups {
            t.add_group(id.clone(), keys.clone());
        }
        t
    }
}

/// The public key form: a new key (from a PEM pasted or picked) or the open one.
#[derive(Debug, Clone, Default)]
pub struct KeyForm {
    /// The open key's id; None for a new one.
    pub id: Option<String>,
    pub etag: String,
    pub name: String,
    pub comment: String,
    pub pem: String,
    /// What the PEM is (kind and fingerprint) or why CloudFront would refuse it.
    pub parsed: Option<Result<(String, String), String>>,
    parsed_for: String,
    /// The file the PEM was read from, if any.
    pub file: Option<PathBuf>,
}

impl KeyForm {
    /// Parses the PEM again when it changed.
    pub fn recheck(&mut self) {
        if self.parsed_for != self.pem {
            self.parsed_for = self.pem.clone();
            self.parsed = (!self.pem.trim().is_empty()).then(|| describe_pem(&self.pem));
        }
    }
}

/// `(kind, fingerprint)` of a public key in PEM, or why it cannot be used.
pub fn describe_pem(pem: &str) -> Result<(String, String), String> {
    cfconsole_signing::PublicKey::from_pem(pem)
        .map(|k| (k.kind().to_string(), k.fingerprint()))
        .map_err(|e| e.to_string())
}

/// The key group form.
#[derive(Debug, Clone, Default)]
pub struct GroupForm {
    pub id: Option<String>,
    pub etag: String,
    pub name: String,
    pub comment: String,
    /// The ids of the keys in the group.
    pub keys: BTreeSet<String>,
}

/// The origin access control form.
#[derive(Debug, Clone)]
pub struct OacForm {
    pub id: Option<String>,
    pub etag: String,
    pub name: String,
    pub description: String,
    pub origin_type: OacOriginType,
    pub behavior: SigningBehavior,
}

impl Default for OacForm {
    fn default() -> Self {
        Self {
            id: None,
            etag: String::new(),
            name: String::new(),
            description: String::new(),
            origin_type: OacOriginType::S3,
            behavior: SigningBehavior::Always,
        }
    }
}

/// The account's keys, key groups and OACs, as the window holds them.
pub struct Access {
    tasks: Tasks<Msg>,
    plane: Option<Arc<dyn ControlPlane>>,
    dialogs: Arc<dyn FileDialogs>,
    pub lists: Remote<Lists>,
    pub key: Option<KeyForm>,
    pub group: Option<GroupForm>,
    pub oac: Option<OacForm>,
    /// `(name, id)` of the public keys, for the signing panel's picker.
    key_choices: Vec<(String, String)>,
    /// `(name, id)` of the key groups, for the Behaviors tab's picker.
    group_choices: Vec<(String, String)>,
    /// `(name, id, origin type)` of the OACs, for the Origins tab's picker.
    oac_choices: Vec<(String, String, OacOriginType)>,
    /// Errors and notices for the window's banners.
    pub errors: Vec<String>,
    pub notices: Vec<String>,
    /// The key groups with their keys for the preview, and its generation (new after every
    /// change).
    pub trusted: Option<Arc<KeyMaterial>>,
    /// The OACs for the preview's signing of origin requests (spec OA rules), with the
    /// operator's credentials.
    pub origin_access: Option<cfconsole_edge::oac::OriginAccess>,
    /// Where the preview's origin signing takes credentials from (the backend's profile).
    credentials: Option<Arc<cfconsole_edge::oac::CredentialSource>>,
    pub generation: u64,
    /// Keys the preview cannot use (a PEM that does not parse): said once per list.
    pub unusable: Vec<String>,
    pending: Vec<Action>,
}

impl Access {
    pub fn new(rt: tokio::runtime::Handle, jobs: Jobs, dialogs: Arc<dyn FileDialogs>) -> Self {
        Self {
            tasks: Tasks::new(rt, jobs),
            plane: None,
            dialogs,
            lists: Remote::Idle,
            key: None,
            group: None,
            oac: None,
            key_choices: Vec::new(),
            group_choices: Vec::new(),
            oac_choices: Vec::new(),
            errors: Vec::new(),
            notices: Vec::new(),
            trusted: None,
            origin_access: None,
            credentials: None,
            generation: 0,
            unusable: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The backend changed: everything is read again from the new one.
    pub fn set_plane(&mut self, plane: Option<Arc<dyn ControlPlane>>) {
        self.plane = plane;
        self.lists = Remote::Idle;
        self.key = None;
        self.group = None;
        self.oac = None;
        self.key_choices.clear();
        self.group_choices.clear();
        self.oac_choices.clear();
        self.trusted = None;
        self.origin_access = None;
        self.generation += 1;
        if self.plane.is_some() {
            self.refresh();
        }
    }

    /// The credentials the preview signs origin requests with (spec OA-8): the default chain,
    /// with the AWS backend's profile. Resolved by the edge only when an origin signs.
    pub fn set_credentials(&mut self, c: Arc<cfconsole_edge::oac::CredentialSource>) {
        self.credentials = Some(c);
        self.rebuild();
    }

    /// Asks the view's actions to run after the frame.
    pub fn act(&mut self, a: Action) {
        self.pending.push(a);
    }

    /// The public keys by name and id (the signing panel's picker).
    pub fn key_choices(&self) -> &[(String, String)] {
        &self.key_choices
    }

    /// The key groups by name and id (the Behaviors tab's picker).
    pub fn group_choices(&self) -> &[(String, String)] {
        &self.group_choices
    }

    /// The OACs by name, id and origin type (the Origins tab's picker).
    pub fn oac_choices(&self) -> &[(String, String, OacOriginType)] {
        &self.oac_choices
    }

    /// The account's key groups and OACs as publish checks a distribution against; None until
    /// listed.
    pub fn known(&self) -> Option<(Vec<KnownKeyGroup>, Vec<KnownOac>)> {
        let l = self.lists.value()?;
        let groups = l.groups.iter().map(KnownKeyGroup::from).collect();
        let oacs = l.oacs.iter().map(KnownOac::from).collect();
        Some((groups, oacs))
    }

    fn spawn<F>(&self, what: impl Into<String>, fut: F)
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        self.tasks.spawn(what, fut);
    }

    pub fn refresh(&mut self) {
        let Some(p) = self.plane.clone() else {
            return;
        };
        self.lists.start();
        self.spawn("loading keys, key groups and origin access", async move {
            let r = async {
                Ok::<_, ControlError>(Lists {
                    keys: p.list_public_keys().await?,
                    groups: p.list_key_groups().await?,
                    oacs: p.list_origin_access_controls().await?,
                    oais: p.list_origin_access_identities().await?,
                })
            }
            .await;
            Msg::Listed(r.map_err(|e| e.to_string()))
        });
    }

    /// Applies finished tasks, once per frame.
    pub fn tick(&mut self) {
        for m in self.tasks.drain() {
            self.apply(m);
        }
        if let Some(k) = &mut self.key {
            k.recheck();
        }
    }

    fn apply(&mut self, m: Msg) {
        match m {
            Msg::Listed(r) => {
                self.lists.finish(r);
                self.rebuild();
            }
            Msg::KeySaved(r) => match r {
                Ok(k) => {
                    self.notices
                        .push(format!("Public key {} saved ({})", k.config.name, k.id));
                    self.key = Some(key_form(&k));
                    self.refresh();
                }
                Err(e) => self.errors.push(format!("Public key not saved: {e}")),
            },
            Msg::KeyDeleted(id, r) => match r {
                Ok(()) => {
                    self.notices.push(format!("Public key {id} deleted"));
                    self.key = None;
                    self.refresh();
                }
                Err(e) => self
                    .errors
                    .push(format!("Public key {id} not deleted: {e}")),
            },
            Msg::GroupSaved(r) => match r {
                Ok(g) => {
                    self.notices
                        .push(format!("Key group {} saved ({})", g.config.name, g.id));
                    self.group = Some(group_form(&g));
                    self.refresh();
                }
                Err(e) => self.errors.push(format!("Key group not saved: {e}")),
            },
            Msg::GroupDeleted(id, r) => match r {
                Ok(()) => {
                    self.notices.push(format!("Key group {id} deleted"));
                    self.group = None;
                    self.refresh();
                }
                Err(e) => self.errors.push(format!("Key group {id} not deleted: {e}")),
            },
            Msg::OacSaved(r) => match r {
                Ok(o) => {
                    self.notices.push(format!(
                        "Origin access control {} saved ({})",
                        o.config.name, o.id
                    ));
                    self.oac = Some(oac_form(&o));
                    self.refresh();
                }
                Err(e) => self
                    .errors
                    .push(format!("Origin access control not saved: {e}")),
            },
            Msg::OacDeleted(id, r) => match r {
                Ok(()) => {
                    self.notices
                        .push(format!("Origin access control {id} deleted"));
                    self.oac = None;
                    self.refresh();
                }
                Err(e) => self
                    .errors
                    .push(format!("Origin access control {id} not deleted: {e}")),
            },
            Msg::Opened(r) => match r {
                // Only the ETag is taken: the operator may have typed in the form meanwhile.
                Ok(OpenedItem::Key(k)) => {
                    if let Some(f) = self.key.as_mut().filter(|f| f.id.as_ref() == Some(&k.id)) {
                        f.etag = k.etag;
                    }
                }
                Ok(OpenedItem::Group(g)) => {
                    if let Some(f) = self.group.as_mut().filter(|f| f.id.as_ref() == Some(&g.id)) {
                        f.etag = g.etag;
                    }
                }
                Ok(OpenedItem::Oac(o)) => {
                    if let Some(f) = self.oac.as_mut().filter(|f| f.id.as_ref() == Some(&o.id)) {
                        f.etag = o.etag;
                    }
                }
                Err(e) => self.errors.push(e),
            },
            Msg::PemRead(r) => match r {
                Ok((path, pem)) => {
                    let k = self.key.get_or_insert_with(KeyForm::default);
                    if k.name.is_empty()
                        && let Some(stem) = path.file_stem()
                    {
                        k.name = stem.to_string_lossy().replace(['.', ' '], "-");
                    }
                    k.pem = pem;
                    k.file = Some(path);
                    k.recheck();
                }
                Err(e) => self.errors.push(e),
            },
        }
    }

    /// The pickers' choices and the preview's keys, made again from the lists.
    fn rebuild(&mut self) {
        let Some(l) = self.lists.value() else {
            return;
        };
        self.key_choices = l
            .keys
            .iter()
            .map(|k| (k.config.name.clone(), k.id.clone()))
            .collect();
        self.group_choices = l
            .groups
            .iter()
            .map(|g| (g.config.name.clone(), g.id.clone()))
            .collect();
        self.oac_choices = l
            .oacs
            .iter()
            .map(|o| (o.config.name.clone(), o.id.clone(), o.config.origin_type))
            .collect();
        let mut trusted = KeyMaterial::default();
        self.unusable.clear();
        for k in &l.keys {
            match cfconsole_signing::PublicKey::from_pem(&k.config.encoded_key) {
                Ok(key) => trusted.keys.push((k.id.clone(), key)),
                Err(e) => self.unusable.push(format!(
                    "Public key {} ({}) is not used by the preview: {e}",
                    k.config.name, k.id
                )),
            }
        }
        for g in &l.groups {
            trusted.groups.push((g.id.clone(), g.config.items.clone()));
        }
        self.trusted = Some(Arc::new(trusted));
        let controls: HashMap<String, OacSigning> = l
            .oacs
            .iter()
            .map(|o| (o.id.clone(), edge_signing(&o.config)))
            .collect();
        self.origin_access = self
            .credentials
            .clone()
            .map(|c| cfconsole_edge::oac::OriginAccess::new(controls, c));
        self.generation += 1;
        self.errors.append(&mut self.unusable.clone());
    }

    /// Carries out what the views asked for this frame.
    pub fn run(&mut self) {
        for a in std::mem::take(&mut self.pending) {
            self.run_one(a);
        }
    }

    fn lists(&self) -> Lists {
        self.lists.value().cloned().unwrap_or_default()
    }

    fn run_one(&mut self, a: Action) {
        let plane = self.plane.clone();
        match a {
            Action::Refresh => self.refresh(),
            Action::OpenKey(id) => {
                self.key = self.lists().keys.iter().find(|k| k.id == id).map(key_form);
                let Some(plane) = plane else { return };
                self.spawn(format!("opening public key {id}"), async move {
                    let r = plane.get_public_key(&id).await.map(OpenedItem::Key);
                    Msg::Opened(r.map_err(|e| e.to_string()))
                });
            }
            Action::NewKey => self.key = Some(KeyForm::default()),
            Action::ChoosePem => {
                let dialogs = self.dialogs.clone();
                self.spawn("choosing a public key file", async move {
                    let filters: &[(&str, &[&str])] = &[("PEM", &["pem", "pub", "key"])];
                    let Some(path) = dialogs.open_file("Public key (PEM)", filters).await else {
                        return Msg::PemRead(Err("no public key file chosen".into()));
                    };
                    let r = cfconsole_control::file::read_text(&path)
                        .map(|t| (path.clone(), t))
                        .map_err(|e| format!("{}: {e}", path.display()));
                    Msg::PemRead(r)
                });
            }
            Action::CreateKey => {
                let (Some(plane), Some(k)) = (plane, &self.key) else {
                    return;
                };
                let config = PublicKeyConfig {
                    caller_reference: caller_reference(),
                    name: k.name.trim().to_string(),
                    encoded_key: k.pem.clone(),
                    comment: non_empty(&k.comment),
                };
                if let Some(e) =
                    first_error(cfconsole_model::private::check_public_key_config(&config))
                {
                    self.errors.push(format!("Public key not saved: {e}"));
                    return;
                }
                self.spawn(format!("adding public key {}", config.name), async move {
                    let r = plane.create_public_key(config).await;
                    Msg::KeySaved(r.map_err(|e| e.to_string()))
                });
            }
            Action::SaveKeyComment => {
                let (Some(plane), Some(k)) = (plane, &self.key) else {
                    return;
                };
                let Some(id) = k.id.clone() else { return };
                let Some(rec) = self.lists().keys.into_iter().find(|r| r.id == id) else {
                    return;
                };
                let mut config = rec.config.clone();
                config.comment = non_empty(&k.comment);
                let etag = k.etag.clone();
                self.spawn(format!("saving public key {id}"), async move {
                    let r = plane.update_public_key(&id, &etag, config).await;
                    Msg::KeySaved(r.map_err(|e| e.to_string()))
                });
            }
            Action::DeleteKey(id) => {
                let Some(plane) = plane else { return };
                let etag = self
                    .key
                    .as_ref()
                    .map(|k| k.etag.clone())
                    .unwrap_or_default();
                self.spawn(format!("deleting public key {id}"), async move {
                    let r = plane.delete_public_key(&id, &etag).await;
                    Msg::KeyDeleted(id, r.map_err(|e| e.to_string()))
                });
            }
            Action::OpenGroup(id) => {
                self.group = self
                    .lists()
                    .groups
                    .iter()
                    .find(|g| g.id == id)
                    .map(group_form);
                let Some(plane) = plane else { return };
                self.spawn(format!("opening key group {id}"), async move {
                    let r = plane.get_key_group(&id).await.map(OpenedItem::Group);
                    Msg::Opened(r.map_err(|e| e.to_string()))
                });
            }
            Action::NewGroup => self.group = Some(GroupForm::default()),
            Action::SaveGroup => {
                let (Some(plane), Some(g)) = (plane, &self.group) else {
                    return;
                };
                let config = KeyGroupConfig {
                    name: g.name.trim().to_string(),
                    items: g.keys.iter().cloned().collect(),
                    comment: non_empty(&g.comment),
                };
                if let Some(e) =
                    first_error(cfconsole_model::private::check_key_group_config(&config))
                {
                    self.errors.push(format!("Key group not saved: {e}"));
                    return;
                }
                let (id, etag) = (g.id.clone(), g.etag.clone());
                self.spawn(format!("saving key group {}", config.name), async move {
                    let r = match id {
                        Some(id) => plane.update_key_group(&id, &etag, config).await,
                        None => plane.create_key_group(config).await,
                    };
                    Msg::GroupSaved(r.map_err(|e| e.to_string()))
                });
            }
            Action::DeleteGroup(id) => {
                let Some(plane) = plane else { return };
                let etag = self
                    .group
                    .as_ref()
                    .map(|g| g.etag.clone())
                    .unwrap_or_default();
                self.spawn(format!("deleting key group {id}"), async move {
                    let r = plane.delete_key_group(&id, &etag).await;
                    Msg::GroupDeleted(id, r.map_err(|e| e.to_string()))
                });
            }
            Action::OpenOac(id) => {
                self.oac = self.lists().oacs.iter().find(|o| o.id == id).map(oac_form);
                let Some(plane) = plane else { return };
                self.spawn(format!("opening origin access control {id}"), async move {
                    let r = plane
                        .get_origin_access_control(&id)
                        .await
                        .map(OpenedItem::Oac);
                    Msg::Opened(r.map_err(|e| e.to_string()))
                });
            }
            Action::NewOac(given) => {
                let mut f = OacForm::default();
                if let Some((name, t)) = given {
                    f.name = name;
                    f.origin_type = t;
                }
                self.oac = Some(f);
            }
            Action::SaveOac => {
                let (Some(plane), Some(o)) = (plane, &self.oac) else {
                    return;
                };
                let config = OriginAccessControlConfig {
                    name: o.name.trim().to_string(),
                    description: o.description.clone(),
                    signing_protocol: SigningProtocol::Sigv4,
                    signing_behavior: o.behavior,
                    origin_type: o.origin_type,
                };
                if let Some(e) = first_error(cfconsole_model::private::check_oac_config(&config)) {
                    self.errors
                        .push(format!("Origin access control not saved: {e}"));
                    return;
                }
                let (id, etag) = (o.id.clone(), o.etag.clone());
                let what = format!("saving origin access control {}", config.name);
                self.spawn(what, async move {
                    let r = match id {
                        Some(id) => plane.update_origin_access_control(&id, &etag, config).await,
                        None => plane.create_origin_access_control(config).await,
                    };
                    Msg::OacSaved(r.map_err(|e| e.to_string()))
                });
            }
            Action::DeleteOac(id) => {
                let Some(plane) = plane else { return };
                let etag = self
                    .oac
                    .as_ref()
                    .map(|o| o.etag.clone())
                    .unwrap_or_default();
                self.spawn(format!("deleting origin access control {id}"), async move {
                    let r = plane.delete_origin_access_control(&id, &etag).await;
                    Msg::OacDeleted(id, r.map_err(|e| e.to_string()))
                });
            }
        }
    }
}

/// An OAC as the preview signs with it. `always-amz-auth` (Lambda only) signs like `always`:
/// the preview does not forward the viewer's own `Authorization` beside the signature.
fn edge_signing(c: &OriginAccessControlConfig) -> OacSigning {
    use cfconsole_edge::oac::{OacOriginType as T, SigningBehavior as B};
    let behavior = match c.signing_behavior {
        SigningBehavior::Always | SigningBehavior::AlwaysAmzAuth => B::Always,
        SigningBehavior::NoOverride => B::NoOverride,
        SigningBehavior::Never => B::Never,
    };
    let origin_type = match c.origin_type {
        OacOriginType::S3 => T::S3,
        OacOriginType::Lambda => T::Lambda,
        OacOriginType::Mediastore => T::Mediastore,
        OacOriginType::Mediapackagev2 => T::Mediapackagev2,
    };
    OacSigning {
        behavior,
        origin_type: Some(origin_type),
    }
}

/// The first error among CloudFront's findings, as a person reads it.
fn first_error(findings: Vec<Finding>) -> Option<String> {
    findings
        .into_iter()
        .find(Finding::is_error)
        .map(|f| f.to_string())
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A caller reference unique to this create (CloudFront refuses a reused one with another
/// config).
fn caller_reference() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("cfconsole-{}", now.as_nanos())
}

fn key_form(k: &PublicKeyRecord) -> KeyForm {
    let mut f = KeyForm {
        id: Some(k.id.clone()),
        etag: k.etag.clone(),
        name: k.config.name.clone(),
        comment: k.config.comment.clone().unwrap_or_default(),
        pem: k.config.encoded_key.clone(),
        ..KeyForm::default()
    };
    f.recheck();
    f
}

fn group_form(g: &KeyGroupRecord) -> GroupForm {
    GroupForm {
        id: Some(g.id.clone()),
        etag: g.etag.clone(),
        name: g.config.name.clone(),
        comment: g.config.comment.clone().unwrap_or_default(),
        keys: g.config.items.iter().cloned().collect(),
    }
}

fn oac_form(o: &OacRecord) -> OacForm {
    OacForm {
        id: Some(o.id.clone()),
        etag: o.etag.clone(),
        name: o.config.name.clone(),
        description: o.config.description.clone(),
        origin_type: o.config.origin_type,
        behavior: o.config.signing_behavior,
    }
}

/// Which behaviors of the loaded distributions trust the key group `id`:
/// `(distribution id, behavior path)`.
pub fn group_uses(id: &str, configs: &[(String, &DistributionConfig)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (d, c) in configs {
        let trusts = |t: Option<&cfconsole_model::TrustedKeyGroups>| {
            t.is_some_and(|t| t.enabled && t.items.iter().flatten().any(|g| g == id))
        };
        if trusts(c.default_cache_behavior.trusted_key_groups.as_ref()) {
            out.push((d.clone(), "Default (*)".to_string()));
        }
        for b in c.cache_behaviors.iter().flat_map(|l| l.iter()) {
            if trusts(b.trusted_key_groups.as_ref()) {
                out.push((d.clone(), b.path_pattern.clone()));
            }
        }
    }
    out
}

/// Which origins of the loaded distributions use the OAC `id`: `(distribution id, origin id)`.
pub fn oac_uses(id: &str, configs: &[(String, &DistributionConfig)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (d, c) in configs {
        for o in c.origins.iter() {
            if o.origin_access_control_id.as_deref() == Some(id) {
                out.push((d.clone(), o.id.clone()));
            }
        }
    }
    out
}

/// The bucket policy statement the CloudFront console shows for an S3 origin behind an OAC:
/// it lets the CloudFront service principal read the bucket, for this distribution only.
pub fn bucket_policy(bucket: &str, distribution_arn: &str) -> String {
    let policy = serde_json::json!({
        "Version": "2008-10-17",
        "Id": "PolicyForCloudFrontPrivateContent",
        "Statement": [{
            "Sid": "AllowCloudFrontServicePrincipal",
            "Effect": "Allow",
            "Principal": { "Service": "cloudfront.amazonaws.com" },
            "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{bucket}/*"),
            "Condition": { "StringEquals": { "AWS:SourceArn": distribution_arn } }
        }]
    });
    serde_json::to_string_pretty(&policy).unwrap_or_default()
}

/// The bucket of an S3 origin's domain name (`bucket.s3.region.amazonaws.com`,
/// `bucket.s3.amazonaws.com`, `bucket.s3-region.amazonaws.com`).
pub fn bucket_of(domain: &str) -> Option<&str> {
    let i = domain.find(".s3.").or_else(|| domain.find(".s3-"))?;
    (i > 0).then(|| &domain[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_policy_names_the_bucket_and_the_distribution() {
        let p = bucket_policy(
            "my-bucket",
            "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE",
        );
        let v: serde_json::Value = serde_json::from_str(&p).unwrap();
        let s = &v["Statement"][0];
        assert_eq!(s["Resource"], "arn:aws:s3:::my-bucket/*");
        assert_eq!(s["Principal"]["Service"], "cloudfront.amazonaws.com");
        assert_eq!(
            s["Condition"]["StringEquals"]["AWS:SourceArn"],
            "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
        );
    }

    #[test]
    fn buckets_are_read_from_s3_domain_names() {
        assert_eq!(bucket_of("b.s3.amazonaws.com"), Some("b"));
        assert_eq!(bucket_of("my.b.s3.eu-west-1.amazonaws.com"), Some("my.b"));
        assert_eq!(bucket_of("b.s3-eu-west-1.amazonaws.com"), Some("b"));
        assert_eq!(bucket_of("example.com"), None);
    }
}
