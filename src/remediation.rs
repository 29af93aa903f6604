//! Remediation, the closed loop of PRODUCT.md §7: every revocation of a
//! signed-off campaign is followed until an export of the same scope,
//! imported after the sign-off, no longer holds the grant. Tracking starts
//! at sign-off (`track`), every import checks the new snapshots (`refresh`),
//! and each revocation's state is read back from those checks (`state`,
//! `report`), so the workspace keeps the history, not only the answer.

mod refresh;
pub mod report;
pub mod state;
mod track;

pub use refresh::{Resolved, refresh, refresh_now};
pub use report::{Counts, Report, Row, counts, report};
pub use state::{State, Status};
pub use track::track_sign_off;
