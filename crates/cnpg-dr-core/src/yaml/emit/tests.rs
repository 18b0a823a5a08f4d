use super::*;
use serde_json::json;

#[test]
fn smoke() {
    let doc = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "x"}, "data": {"a": "yes", "b": "x\ny\n", "c": [1, [2, 3], {"d": {}}, []], "e": "{{ x }}", "f": 1.5e10}});
    let out = emit_document(&doc).unwrap();
    print!("{out}");
}
