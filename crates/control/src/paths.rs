//! Minimal invalidation-path rules the control plane itself needs: the form check of spec I-1/I-2
//! and the wildcard/individual split that the in-progress limits of I-8 count separately.
//!
//! These mirror `cfconsole_model::invalidation` (being written on another branch) and are to be
//! unified with it at merge; they are kept private to this crate's behaviour on purpose.

/// Spec I-8: at most this many individual (non-wildcard) paths in progress per distribution.
pub const MAX_INDIVIDUAL_IN_PROGRESS: usize = 3_000;
/// Spec I-8: at most this many wildcard paths in progress per distribution.
pub const MAX_WILDCARD_IN_PROGRESS: usize = 15;
/// Spec I-1: longest accepted path.
pub const MAX_PATH_LEN: usize = 4_000;

/// True for a wildcard path (spec I-2: `*` can only be the last character).
pub fn is_wildcard(path: &str) -> bool {
    path.ends_with('*')
}

/// Why a path is not accepted, or `None` when it is (spec I-1, I-2).
pub fn path_problem(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return Some(format!("{path:?} must start with `/` (spec I-1)"));
    }
    if path.len() > MAX_PATH_LEN {
        return Some(format!(
            "path is {} characters long; at most {MAX_PATH_LEN} are accepted (spec I-1)",
            path.len()
        ));
    }
    if let Some(pos) = path.find('*')
        && pos != path.len() - 1
    {
        return Some(format!(
            "{path:?}: `*` is only accepted as the last character (spec I-2)"
        ));
    }
    None
}

/// Counts `(individual, wildcard)` paths (spec I-8 counts them separately).
pub fn count<'a>(paths: impl IntoIterator<Item = &'a String>) -> (usize, usize) {
    paths.into_iter().fold((0, 0), |(i, w), p| {
        if is_wildcard(p) {
            (i, w + 1)
        } else {
            (i + 1, w)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_forms() {
        for ok in ["/", "/a.jpg", "/images/*", "/images*", "/*", "/img.jpg?p=a"] {
            assert_eq!(path_problem(ok), None, "{ok} should be accepted");
        }
        for bad in ["a.jpg", "/a*/b", "/*.jpg", ""] {
            assert!(path_problem(bad).is_some(), "{bad} should be refused");
        }
        assert!(path_problem(&format!("/{}", "a".repeat(MAX_PATH_LEN))).is_some());
    }

    #[test]
    fn counts_wildcards_apart() {
        let paths: Vec<String> = ["/a", "/b/*", "/c", "/*"].map(String::from).to_vec();
        assert_eq!(count(&paths), (2, 2));
    }
}
