//! The first difference between two JSON values, as a path and both sides.

use serde_json::Value;

/// The first place where `actual` differs from `expected`, or `None`.
/// Numbers compare by value (`3` equals `3.0`).
pub fn first(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    let differ = || Some(format!("{path}: expected {expected}, got {actual}"));
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => {
                        if let Some(d) = first(ev, av, &p) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{p}: missing from the result")),
                }
            }
            a.keys()
                .find(|k| !e.contains_key(*k))
                .map(|k| format!("{path}.{k}: not in the expected results"))
        }
        (Value::Array(e), Value::Array(a)) => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                if let Some(d) = first(ev, av, &format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (e.len() != a.len())
                .then(|| format!("{path}: expected {} entries, got {}", e.len(), a.len()))
        }
        (Value::Number(e), Value::Number(a)) => {
            let same = match (e.as_u64(), a.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => e.as_f64() == a.as_f64(),
            };
            if same { None } else { differ() }
        }
        _ => {
            if expected == actual {
                None
            } else {
                differ()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_the_path_of_the_first_difference() {
        let e = json!({"a": [1, 2, {"b": "x"}], "c": 3.0});
        assert_eq!(
            first(&e, &json!({"a": [1, 2, {"b": "x"}], "c": 3}), "expected"),
            None
        );
        assert_eq!(
            first(&e, &json!({"a": [1, 2, {"b": "y"}], "c": 3}), "expected").unwrap(),
            "expected.a[2].b: expected \"x\", got \"y\""
        );
        assert_eq!(
            first(&e, &json!({"a": [1], "c": 3}), "expected").unwrap(),
            "expected.a: expected 3 entries, got 1"
        );
    }
}
