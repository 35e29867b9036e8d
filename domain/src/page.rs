//! Offset pages for list use-cases; the API turns them into Relay connections.

/// The largest page any list returns.
pub const MAX_PAGE_SIZE: u64 = 100;

/// Which slice of a list to return.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return, at most [`MAX_PAGE_SIZE`].
    pub limit: u64,
}

/// One slice of a list and the size of the whole list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows of this slice.
    pub items: Vec<T>,
    /// The rows before this slice.
    pub offset: u64,
    /// The rows in the whole list.
    pub total: u64,
}
