//! The ranking as JSON for pipelines: a JSON array with one object per ranked.csv row, keys in
//! column order, each value typed from its text: empty → `null`, an integer → a JSON integer,
//! another finite number → a JSON number, `[128, 64]` → an array of integers, else a string.
//! `status` and `message` are always strings (or `null`), `scores` an array of numbers and
//! `within_one_se` a boolean (or `null`). Every column is kept, known or not, so later columns
//! appear without code changes.

use std::io::{self, Read, Write};

use serde_json::{Map, Value};

/// Writes `ranked` (the text of ranked.csv) as a JSON array, one object per line.
pub fn write_json(ranked: impl Read, out: &mut dyn Write) -> io::Result<()> {
    let mut csv = csv::Reader::from_reader(ranked);
    let header = csv.headers()?.clone();
    out.write_all(b"[")?;
    let mut record = csv::StringRecord::new();
    let mut first = true;
    while csv.read_record(&mut record)? {
        let object: Map<String, Value> = header
            .iter()
            .zip(record.iter())
            .map(|(k, v)| {
                let value = match k {
                    "status" | "message" if !v.is_empty() => Value::String(v.to_string()),
                    "scores" if !v.is_empty() => v.split_whitespace().map(typed).collect(),
                    "within_one_se" if !v.is_empty() => Value::Bool(v == "yes"),
                    _ => typed(v),
                };
                (k.to_string(), value)
            })
            .collect();
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *out, &object)?;
    }
    out.write_all(b"\n]\n")
}

/// The JSON value of one CSV cell.
fn typed(text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(x) = text.parse::<f64>() {
        // JSON has no NaN or infinity: those are absent scores.
        return serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number);
    }
    if let Some(list) = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .and_then(|t| {
            t.split(',')
                .map(|p| p.trim().parse::<i64>().ok())
                .collect::<Option<Vec<i64>>>()
        })
    {
        return Value::from(list);
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_get_json_types() {
        assert_eq!(typed(""), Value::Null);
        assert_eq!(typed("15"), Value::from(15));
        assert_eq!(typed("0.3"), Value::from(0.3));
        assert_eq!(typed("1e-4"), Value::from(1e-4));
        assert_eq!(typed("NaN"), Value::Null);
        assert_eq!(typed("[128, 64]"), Value::from(vec![128, 64]));
        assert_eq!(typed("relu"), Value::from("relu"));
        assert_eq!(typed("[a]"), Value::from("[a]"));
    }

    #[test]
    fn rows_become_objects_in_column_order() {
        let csv = "rank,trial,status,val_loss,activation,message\n1,8,completed,0.08,relu,\n2,3,failed,,tanh,\"boom, twice\"\n";
        let mut out = Vec::new();
        write_json(csv.as_bytes(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "[\n{\"rank\":1,\"trial\":8,\"status\":\"completed\",\"val_loss\":0.08,\"activation\":\"relu\",\"message\":null},\n{\"rank\":2,\"trial\":3,\"status\":\"failed\",\"val_loss\":null,\"activation\":\"tanh\",\"message\":\"boom, twice\"}\n]\n"
        );
    }

    #[test]
    fn the_run_columns_are_typed() {
        let csv = "trial,within_one_se,scores\n1,yes,0.5 0.25\n2,no,\n3,,\n";
        let mut out = Vec::new();
        write_json(csv.as_bytes(), &mut out).unwrap();
        let rows: Vec<Value> = serde_json::from_slice(&out).unwrap();
        assert_eq!(rows[0]["within_one_se"], Value::Bool(true));
        assert_eq!(rows[0]["scores"], serde_json::json!([0.5, 0.25]));
        assert_eq!(rows[1]["within_one_se"], Value::Bool(false));
        assert_eq!(
            (&rows[2]["within_one_se"], &rows[2]["scores"]),
            (&Value::Null, &Value::Null)
        );
    }

    #[test]
    fn an_empty_ranking_is_an_empty_array() {
        let mut out = Vec::new();
        write_json("rank,trial\n".as_bytes(), &mut out).unwrap();
        assert_eq!(out, b"[\n]\n");
    }
}
