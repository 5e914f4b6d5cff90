//! Intrusive doubly linked queues over a per-pid table.
//!
//! A node's links live in the policy's slot for that pid, so enqueueing,
//! dequeueing and removing from the middle are O(1) and never allocate. A
//! node is in at most one [`List`] at a time; the policy's per-slot state
//! says which.

/// The "no node" index.
const NIL: u32 = u32::MAX;

/// The links of one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    prev: u32,
    next: u32,
}

impl Link {
    /// Not in any list.
    pub const NONE: Link = Link {
        prev: NIL,
        next: NIL,
    };
}

/// A slot type that carries a [`Link`].
pub trait Linked {
    /// The node's links.
    fn link(&mut self) -> &mut Link;
}

/// A queue threaded through a table of [`Linked`] slots.
#[derive(Clone, Copy, Debug)]
pub struct List {
    head: u32,
    tail: u32,
    len: usize,
}

impl List {
    /// The empty queue.
    pub const EMPTY: List = List {
        head: NIL,
        tail: NIL,
        len: 0,
    };

    /// How many nodes are queued.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no node is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first node, without removing it.
    pub fn head(&self) -> Option<usize> {
        (self.head != NIL).then_some(self.head as usize)
    }

    /// Append node `i` (not in any list) at the tail.
    pub fn push_back<T: Linked>(&mut self, t: &mut [T], i: usize) {
        *t[i].link() = Link {
            prev: self.tail,
            next: NIL,
        };
        match self.tail {
            NIL => self.head = i as u32,
            tail => t[tail as usize].link().next = i as u32,
        }
        self.tail = i as u32;
        self.len += 1;
    }

    /// Insert node `i` (not in any list) at the head.
    pub fn push_front<T: Linked>(&mut self, t: &mut [T], i: usize) {
        *t[i].link() = Link {
            prev: NIL,
            next: self.head,
        };
        match self.head {
            NIL => self.tail = i as u32,
            head => t[head as usize].link().prev = i as u32,
        }
        self.head = i as u32;
        self.len += 1;
    }

    /// Remove and return the head.
    pub fn pop_front<T: Linked>(&mut self, t: &mut [T]) -> Option<usize> {
        let head = self.head()?;
        let next = t[head].link().next;
        self.head = next;
        match next {
            NIL => self.tail = NIL,
            n => t[n as usize].link().prev = NIL,
        }
        self.len -= 1;
        Some(head)
    }

    /// Unlink node `i`, which must be in this list (its links are left
    /// stale: the next insertion overwrites them).
    pub fn remove<T: Linked>(&mut self, t: &mut [T], i: usize) {
        let Link { prev, next } = *t[i].link();
        match prev {
            NIL => self.head = next,
            p => t[p as usize].link().next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => t[n as usize].link().prev = prev,
        }
        self.len -= 1;
    }

    /// Move every node of `other`, in order, to the tail of `self`; O(1).
    pub fn append<T: Linked>(&mut self, t: &mut [T], other: &mut List) {
        if other.is_empty() {
            return;
        }
        match self.tail {
            NIL => self.head = other.head,
            tail => {
                t[tail as usize].link().next = other.head;
                t[other.head as usize].link().prev = tail;
            }
        }
        self.tail = other.tail;
        self.len += other.len;
        *other = List::EMPTY;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    struct N(Link);
    impl Linked for N {
        fn link(&mut self) -> &mut Link {
            &mut self.0
        }
    }

    fn drain(l: &mut List, t: &mut [N]) -> [Option<usize>; 5] {
        core::array::from_fn(|_| l.pop_front(t))
    }

    #[test]
    fn push_remove_append_keep_order() {
        let mut t = [N(Link::NONE); 8];
        let mut a = List::EMPTY;
        a.push_back(&mut t, 1);
        a.push_back(&mut t, 2);
        a.push_front(&mut t, 0);
        a.push_back(&mut t, 3);
        a.remove(&mut t, 2);
        let mut b = List::EMPTY;
        b.push_back(&mut t, 5);
        a.append(&mut t, &mut b);
        assert!(b.is_empty());
        assert_eq!(a.len(), 4);
        assert_eq!(
            drain(&mut a, &mut t),
            [Some(0), Some(1), Some(3), Some(5), None]
        );
    }
}
