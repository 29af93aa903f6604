//! The indexes of the controls the reviewer opened, built on a worker
//! thread with its own read-only connection, so opening a control of a
//! million items shows its first page at once and the index is ready by the
//! time the reviewer types a search. A query that needs the index before it
//! is ready waits for the build, which is never longer than the scan it
//! replaces.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};

use super::{ControlIndex, Selection, load};
use crate::tui::query::{DecisionFilter, Query, Sort};

type Build = JoinHandle<Result<ControlIndex, String>>;

/// Built and building indexes, and the last selection asked for.
pub struct Indexes {
    /// The workspace file; `None` (an in-memory database) builds on the caller's thread.
    path: Option<PathBuf>,
    campaign: i64,
    building: HashMap<String, Build>,
    ready: HashMap<String, Arc<ControlIndex>>,
    /// The last query (decision filter aside) and its rows, reused while paging.
    last: Option<(Query, Arc<Selection>)>,
}

impl Indexes {
    pub fn new(conn: &Connection, campaign: i64) -> Indexes {
        let path = conn
            .path()
            .filter(|path| !path.is_empty())
            .map(PathBuf::from);
        Indexes {
            path,
            campaign,
            building: HashMap::new(),
            ready: HashMap::new(),
            last: None,
        }
    }

    /// Starts building the control's index in the background, unless it
    /// exists or is being built.
    pub fn prepare(&mut self, control: &str) {
        let Some(path) = self.path.clone() else {
            return;
        };
        if self.ready.contains_key(control) || self.building.contains_key(control) {
            return;
        }
        let campaign = self.campaign;
        let owned = control.to_owned();
        let build = std::thread::spawn(move || {
            let conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|err| err.to_string())?;
            load::load(&conn, campaign, &owned).map_err(|err| err.to_string())
        });
        self.building.insert(control.to_owned(), build);
    }

    /// Drops every index: items changed (a reassignment, a link, another
    /// process's write), so they are built again when next needed.
    pub fn forget(&mut self) {
        self.building.clear();
        self.ready.clear();
        self.last = None;
    }

    /// The control's index, waiting for its build or building it here.
    pub fn get(&mut self, conn: &Connection, control: &str) -> Result<Arc<ControlIndex>, String> {
        if let Some(index) = self.ready.get(control) {
            return Ok(Arc::clone(index));
        }
        let index = match self.building.remove(control) {
            Some(build) => build
                .join()
                .map_err(|_| "the index builder stopped".to_owned())??,
            None => load::load(conn, self.campaign, control).map_err(|err| err.to_string())?,
        };
        let index = Arc::new(index);
        self.ready.insert(control.to_owned(), Arc::clone(&index));
        Ok(index)
    }

    /// The rows of `query` (decision filter aside) in table order.
    pub fn select(
        &mut self,
        conn: &Connection,
        query: &Query,
        mine: &[String],
    ) -> Result<(Arc<ControlIndex>, Arc<Selection>), String> {
        let index = self.get(conn, &query.control)?;
        let mut key = query.clone();
        key.filter.decision = DecisionFilter::Any;
        if let Some((last, selection)) = &self.last
            && *last == key
        {
            return Ok((index, Arc::clone(selection)));
        }
        let selection = Arc::new(index.select(&key, mine));
        self.last = Some((key, Arc::clone(&selection)));
        Ok((index, selection))
    }
}

/// Whether a query needs the index: a plain listing in item order is
/// answered by SQL at once, from the control's id range.
pub fn needs_index(query: &Query) -> bool {
    let filter = &query.filter;
    !query.search.trim().is_empty()
        || query.sort != Sort::Item
        || filter.signal.is_some()
        || filter.system.is_some()
        || filter.kind.is_some()
        || filter.delta.is_some()
}
