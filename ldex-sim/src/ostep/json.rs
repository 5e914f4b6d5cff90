//! Typed reads of a case's JSON, with errors that name the case and the
//! field (`case mlfq-003: input.jobs[1].io_every: expected an unsigned integer`).

use std::fmt;

use serde_json::Value;

/// A bad input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The case id, when the problem is inside a case.
    pub case: Option<String>,
    /// The path of the field, or what is wrong with the file as a whole.
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.case {
            Some(id) => write!(f, "case {id}: {}: {}", self.field, self.problem),
            None => write!(f, "{}: {}", self.field, self.problem),
        }
    }
}

/// A JSON node being read, owning its path.
pub struct Node<'a> {
    case: &'a str,
    path: String,
    value: &'a Value,
}

impl<'a> Node<'a> {
    /// The root of case `case`.
    pub fn root(case: &'a str, value: &'a Value) -> Node<'a> {
        Node {
            case,
            path: String::new(),
            value,
        }
    }

    /// An error about this node.
    pub fn error(&self, problem: impl Into<String>) -> InputError {
        InputError {
            case: Some(self.case.to_string()),
            field: if self.path.is_empty() {
                "(case)".to_string()
            } else {
                self.path.clone()
            },
            problem: problem.into(),
        }
    }

    /// The member `name` (an error if missing).
    pub fn get(&self, name: &str) -> Result<Node<'a>, InputError> {
        let path = if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        };
        let obj = self
            .value
            .as_object()
            .ok_or_else(|| self.error("expected an object"))?;
        match obj.get(name) {
            Some(value) => Ok(Node {
                case: self.case,
                path,
                value,
            }),
            None => Err(InputError {
                case: Some(self.case.to_string()),
                field: path,
                problem: "missing".into(),
            }),
        }
    }

    /// The elements of an array.
    pub fn items(&self) -> Result<Vec<Node<'a>>, InputError> {
        let arr = self
            .value
            .as_array()
            .ok_or_else(|| self.error("expected an array"))?;
        Ok(arr
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                case: self.case,
                path: format!("{}[{i}]", self.path),
                value,
            })
            .collect())
    }

    /// An unsigned integer.
    pub fn u64(&self) -> Result<u64, InputError> {
        self.value
            .as_u64()
            .ok_or_else(|| self.error("expected an unsigned integer"))
    }

    /// An unsigned integer, or `None` for `null`.
    pub fn opt_u64(&self) -> Result<Option<u64>, InputError> {
        if self.value.is_null() {
            Ok(None)
        } else {
            self.u64().map(Some)
        }
    }

    /// A boolean.
    pub fn bool(&self) -> Result<bool, InputError> {
        self.value
            .as_bool()
            .ok_or_else(|| self.error("expected true or false"))
    }

    /// A string.
    pub fn str(&self) -> Result<&'a str, InputError> {
        self.value
            .as_str()
            .ok_or_else(|| self.error("expected a string"))
    }

    /// One of `names`.
    pub fn one_of(&self, names: &[&str]) -> Result<&'a str, InputError> {
        let s = self.str()?;
        if names.contains(&s) {
            Ok(s)
        } else {
            Err(self.error(format!("unknown value {s:?}; valid: {}", names.join(", "))))
        }
    }

    /// Members `name` of every element of an array, as unsigned integers.
    pub fn u64s(&self) -> Result<Vec<u64>, InputError> {
        self.items()?.iter().map(Node::u64).collect()
    }

    /// A string, if the member is there (for provenance fields).
    pub fn opt_str(&self, name: &str) -> Option<&'a str> {
        self.value.get(name).and_then(Value::as_str)
    }

    /// The raw value.
    pub fn value(&self) -> &'a Value {
        self.value
    }
}
