//! The platform's secret store, where the window keeps the origin custom header values of a
//! saved draft (the secrets an origin checks) instead of the draft's file.
//!
//! On Linux that is the Secret Service (GNOME Keyring, KWallet, KeePassXC) on the session bus,
//! reached with the pure-Rust `secret-service` crate. Where there is none (no session bus, no
//! service, another platform), or it refuses an item (a locked keyring), the values stay in the
//! draft's own file, which only its owner can read (0600 in a 0700 folder): the README says so.
//! Nothing here ever prompts: a keyring locked when a draft is read is reported, and the draft
//! is kept for later.

use std::sync::Arc;

/// Where secrets can be kept; [`SecretService`] in the app, a map in tests.
pub trait Vault: Send + Sync + std::fmt::Debug {
    /// The store's name, as messages and the draft file say it ("the Secret Service").
    fn name(&self) -> &'static str;
    /// Keeps `secret` under `attributes`, replacing what was kept there.
    fn put(&self, attributes: &[(&str, &str)], label: &str, secret: &[u8]) -> Result<(), String>;
    /// The secret kept under `attributes`, if any.
    fn get(&self, attributes: &[(&str, &str)]) -> Result<Option<Vec<u8>>, String>;
    /// Forgets what is kept under `attributes` (nothing kept is not an error).
    fn delete(&self, attributes: &[(&str, &str)]) -> Result<(), String>;
}

/// The platform's store, when one answers now: on Linux the Secret Service, if the session
/// bus has one with a default collection. Never prompts and never starts a bus.
pub fn platform() -> Option<Arc<dyn Vault>> {
    #[cfg(target_os = "linux")]
    {
        // No session bus: no store (and no attempt to start a bus).
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS")?;
        SecretService::probe()
            .ok()
            .map(|s| Arc::new(s) as Arc<dyn Vault>)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The freedesktop.org Secret Service on the session bus, one connection per call (calls are
/// rare: a draft's autosave, a restore, a discard; the app makes them off the window's thread).
#[cfg(target_os = "linux")]
#[derive(Debug)]
pub struct SecretService;

#[cfg(target_os = "linux")]
impl SecretService {
    /// Connects once to check that the service is there with a default collection.
    pub fn probe() -> Result<Self, String> {
        let ss = Self::connect()?;
        ss.get_default_collection().map_err(describe)?;
        Ok(SecretService)
    }

    fn connect() -> Result<secret_service::blocking::SecretService<'static>, String> {
        secret_service::blocking::SecretService::connect(secret_service::EncryptionType::Dh)
            .map_err(describe)
    }
}

#[cfg(target_os = "linux")]
fn describe(e: secret_service::Error) -> String {
    match e {
        secret_service::Error::Locked => "the keyring is locked".to_string(),
        secret_service::Error::NoResult => "the keyring has no default collection".to_string(),
        e => format!("the Secret Service did not answer ({e})"),
    }
}

#[cfg(target_os = "linux")]
fn map<'a>(attributes: &[(&'a str, &'a str)]) -> std::collections::HashMap<&'a str, &'a str> {
    attributes.iter().copied().collect()
}

#[cfg(target_os = "linux")]
impl Vault for SecretService {
    fn name(&self) -> &'static str {
        "the Secret Service"
    }

    fn put(&self, attributes: &[(&str, &str)], label: &str, secret: &[u8]) -> Result<(), String> {
        let ss = Self::connect()?;
        let collection = ss.get_default_collection().map_err(describe)?;
        if collection.is_locked().map_err(describe)? {
            return Err("the keyring is locked".to_string());
        }
        collection
            .create_item(label, map(attributes), secret, true, "application/json")
            .map(|_| ())
            .map_err(describe)
    }

    fn get(&self, attributes: &[(&str, &str)]) -> Result<Option<Vec<u8>>, String> {
        let ss = Self::connect()?;
        let found = ss.search_items(map(attributes)).map_err(describe)?;
        match found.unlocked.first() {
            Some(item) => item.get_secret().map(Some).map_err(describe),
            None if !found.locked.is_empty() => Err("the keyring is locked".to_string()),
            None => Ok(None),
        }
    }

    fn delete(&self, attributes: &[(&str, &str)]) -> Result<(), String> {
        let ss = Self::connect()?;
        let found = ss.search_items(map(attributes)).map_err(describe)?;
        for item in found.unlocked {
            item.delete().map_err(describe)?;
        }
        Ok(())
    }
}

/// A vault in memory, for tests: what a real store would keep, and a switch to refuse.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct MemoryVault {
    pub items: std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>,
    /// How many times `put` was called.
    pub puts: std::sync::atomic::AtomicUsize,
    /// When set, every call fails with this message (a locked or vanished keyring).
    pub refuse: std::sync::Mutex<Option<String>>,
}

#[cfg(test)]
impl MemoryVault {
    fn key(attributes: &[(&str, &str)]) -> String {
        let mut a: Vec<String> = attributes.iter().map(|(k, v)| format!("{k}={v}")).collect();
        a.sort();
        a.join("&")
    }

    fn check(&self) -> Result<(), String> {
        match &*self.refuse.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(why) => Err(why.clone()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
impl Vault for MemoryVault {
    fn name(&self) -> &'static str {
        "the test vault"
    }

    fn put(&self, attributes: &[(&str, &str)], _label: &str, secret: &[u8]) -> Result<(), String> {
        self.puts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.check()?;
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        items.insert(Self::key(attributes), secret.to_vec());
        Ok(())
    }

    fn get(&self, attributes: &[(&str, &str)]) -> Result<Option<Vec<u8>>, String> {
        self.check()?;
        let items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        Ok(items.get(&Self::key(attributes)).cloned())
    }

    fn delete(&self, attributes: &[(&str, &str)]) -> Result<(), String> {
        self.check()?;
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        items.remove(&Self::key(attributes));
        Ok(())
    }
}
