//! A value that lives on the backend, as the window holds it while it is fetched.

/// A remote value: keeps the previous value while refreshing or after a failure, so lists
/// never flicker and nothing is lost.
#[derive(Debug, Clone, Default)]
pub enum Remote<T> {
    /// Never asked for.
    #[default]
    Idle,
    /// Being fetched.
    Pending(Option<T>),
    /// Fetched.
    Ready(T),
    /// The last fetch failed.
    Failed {
        /// The error, as a person reads it.
        error: String,
        /// What was there before.
        previous: Option<T>,
    },
}

impl<T> Remote<T> {
    /// The value to show, whatever the state.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Idle => None,
            Self::Pending(p) => p.as_ref(),
            Self::Ready(v) => Some(v),
            Self::Failed { previous, .. } => previous.as_ref(),
        }
    }

    /// Mutable access to the value shown.
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Idle => None,
            Self::Pending(p) => p.as_mut(),
            Self::Ready(v) => Some(v),
            Self::Failed { previous, .. } => previous.as_mut(),
        }
    }

    /// Moves to Pending, keeping the value.
    pub fn start(&mut self) {
        let prev = std::mem::replace(self, Self::Idle);
        *self = Self::Pending(prev.into_value());
    }

    /// Applies a fetch's result.
    pub fn finish(&mut self, result: Result<T, String>) {
        let prev = std::mem::replace(self, Self::Idle);
        *self = match result {
            Ok(v) => Self::Ready(v),
            Err(error) => Self::Failed {
                error,
                previous: prev.into_value(),
            },
        };
    }

    fn into_value(self) -> Option<T> {
        match self {
            Self::Idle => None,
            Self::Pending(p) => p,
            Self::Ready(v) => Some(v),
            Self::Failed { previous, .. } => previous,
        }
    }

    /// True while fetching.
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Pending(_))
    }
}
