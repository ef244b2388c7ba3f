//! A function's source: what CloudFront checks of it before it is saved (size, syntax under
//! its runtime, a `handler`), and the rewriting of `import` lines the engine needs.

use boa_engine::ast::visitor::{VisitWith, Visitor};
use boa_engine::interner::Interner;
use boa_engine::parser::{Parser, Source};
use std::ops::ControlFlow;

use crate::runtime::Runtime;

/// The largest function code (Developer Guide, *Quotas*, "Maximum size of a function": 10 KB).
pub const MAX_CODE_BYTES: usize = 10 * 1024;

/// Why CloudFront would refuse a function's code: its error code, where, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CodeError {
    /// `FunctionSizeLimitExceeded` or `InvalidArgument`.
    pub code: &'static str,
    pub message: String,
    /// The line (from 1) the problem is on, when it has one.
    pub line: Option<u32>,
}

/// The line of a parser error ("... at line 3, col 7").
pub(crate) fn syntax_line(text: &str) -> Option<u32> {
    let at = text.rfind("line ")? + 5;
    text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// Runtime 2.0 runs in strict mode ("Strict mode is always on") and loads modules with
/// `import`: the code gets `"use strict";` before its first line, and each `import X from
/// 'm';` line (and the `* as X` and `{ a, b }` forms) becomes the `require` the engine
/// provides, on the same line, so every line keeps its number. Runtime 1.0 has neither; its
/// code is left as written.
pub(crate) fn rewrite_imports(code: &str, runtime: Runtime) -> String {
    if runtime == Runtime::Js1 {
        return code.to_owned();
    }
    let mut out = String::with_capacity(code.len() + 32);
    out.push_str("\"use strict\"; ");
    for (i, line) in code.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&rewrite_import_line(line).unwrap_or_else(|| line.to_owned()));
    }
    out
}

fn rewrite_import_line(line: &str) -> Option<String> {
    let t = line.trim_start();
    let rest = t.strip_prefix("import")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (binding, after) = rest.trim().split_once(" from ")?;
    let after = after.trim();
    let quote = after.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = after[1..].find(quote)? + 1;
    let module = &after[1..end];
    let tail = after[end + 1..].trim_start();
    let tail = tail.strip_prefix(';').unwrap_or(tail);
    let binding = binding.trim();
    let target = if let Some(name) = binding.strip_prefix("* as ") {
        name.trim().to_owned()
    } else if binding.starts_with('{') {
        binding.replace(" as ", ": ")
    } else {
        binding.to_owned()
    };
    let indent = &line[..line.len() - t.len()];
    Some(format!(
        "{indent}const {target} = require('{module}');{tail}"
    ))
}

/// What runtime 1.0 lacks, found in a parsed script (Developer Guide, *JavaScript runtime 1.0
/// features*: ES 5.1 with arrow functions, rest parameters, template literals and `**`;
/// "The const and let statements are not supported").
struct Js1Features;

impl<'ast> Visitor<'ast> for Js1Features {
    type BreakTy = &'static str;

    fn visit_lexical_declaration(
        &mut self,
        _: &'ast boa_engine::ast::declaration::LexicalDeclaration,
    ) -> ControlFlow<Self::BreakTy> {
        ControlFlow::Break("const and let")
    }

    fn visit_class_declaration(
        &mut self,
        _: &'ast boa_engine::ast::function::ClassDeclaration,
    ) -> ControlFlow<Self::BreakTy> {
        ControlFlow::Break("class")
    }

    fn visit_class_expression(
        &mut self,
        _: &'ast boa_engine::ast::function::ClassExpression,
    ) -> ControlFlow<Self::BreakTy> {
        ControlFlow::Break("class")
    }

    fn visit_async_function_declaration(
        &mut self,
        _: &'ast boa_engine::ast::function::AsyncFunctionDeclaration,
    ) -> ControlFlow<Self::BreakTy> {
        ControlFlow::Break("async")
    }

    fn visit_async_function_expression(
        &mut self,
        _: &'ast boa_engine::ast::function::AsyncFunctionExpression,
    ) -> ControlFlow<Self::BreakTy> {
        ControlFlow::Break("async")
    }

    fn visit_async_arrow_function(
        &mut self,
        _: &'ast boa_engine::ast::function::AsyncArrowFunction,
    ) -> ControlFlow<Self::BreakTy> {
        ControlFlow::Break("async")
    }

    fn visit_generator_declaration(
        &mut self,
        _: &'ast boa_engine::ast::function::GeneratorDeclaration,
    ) -> ControlFlow<Self::BreakTy> {
        ControlFlow::Break("function*")
    }

    fn visit_generator_expression(
        &mut self,
        _: &'ast boa_engine::ast::function::GeneratorExpression,
    ) -> ControlFlow<Self::BreakTy> {
        ControlFlow::Break("function*")
    }
}

/// The first line on which `word` stands as a word outside comments and strings (roughly: a
/// position for a finding the parser gives none for).
fn line_of(code: &str, words: &[&str]) -> Option<u32> {
    let mut in_block = false;
    for (n, line) in code.lines().enumerate() {
        let mut l = line;
        if in_block {
            match l.find("*/") {
                Some(i) => {
                    l = &l[i + 2..];
                    in_block = false;
                }
                None => continue,
            }
        }
        let l = l.split("//").next().unwrap_or_default();
        if let Some(i) = l.find("/*")
            && !l[i..].contains("*/")
        {
            in_block = true;
        }
        for w in words {
            let mut from = 0;
            while let Some(i) = l[from..].find(w) {
                let at = from + i;
                let before = l[..at].chars().last();
                let after = l[at + w.len()..].chars().next();
                let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                let quotes = l[..at].matches(['"', '\'', '`']).count();
                if !word(before) && !word(after) && quotes % 2 == 0 {
                    return Some(n as u32 + 1);
                }
                from = at + w.len();
            }
        }
    }
    None
}

/// The checks of [`crate::check`] that need no engine: at most 10 KB, and a script its
/// runtime's language accepts.
pub fn check_syntax(code: &str, runtime: Runtime) -> Result<(), CodeError> {
    if code.len() > MAX_CODE_BYTES {
        return Err(CodeError {
            code: "FunctionSizeLimitExceeded",
            message: format!(
                "the code is {} bytes; a function's code is at most {MAX_CODE_BYTES} bytes (10 KB)",
                code.len()
            ),
            line: None,
        });
    }
    let rewritten = rewrite_imports(code, runtime);
    let mut interner = Interner::default();
    let scope = boa_engine::ast::scope::Scope::new_global();
    let parsed =
        Parser::new(Source::from_bytes(rewritten.as_bytes())).parse_script(&scope, &mut interner);
    let script = match parsed {
        Ok(s) => s,
        Err(e) => {
            let text = e.to_string();
            return Err(CodeError {
                code: "InvalidArgument",
                line: syntax_line(&text),
                message: format!("syntax error under {runtime}: {text}"),
            });
        }
    };
    if runtime == Runtime::Js1
        && let ControlFlow::Break(feature) = script.visit_with(&mut Js1Features)
    {
        let words: &[&str] = match feature {
            "const and let" => &["const", "let"],
            "function*" => &["function*", "function *"],
            other => &[other],
        };
        return Err(CodeError {
            code: "InvalidArgument",
            line: line_of(code, words),
            message: format!(
                "{feature} is not supported in cloudfront-js-1.0 (use var, or cloudfront-js-2.0)"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;

    #[test]
    fn imports_become_requires_on_the_same_line() {
        let code = "import cf from 'cloudfront';\nimport * as q from \"querystring\";\n\
                    import { createHash as h } from 'crypto';\nvar x = 1;";
        let out = rewrite_imports(code, Runtime::Js2);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "\"use strict\"; const cf = require('cloudfront');"
        );
        assert_eq!(lines[1], "const q = require('querystring');");
        assert_eq!(lines[2], "const { createHash: h } = require('crypto');");
        assert_eq!(lines[3], "var x = 1;");
        assert_eq!(rewrite_imports(code, Runtime::Js1), code);
    }

    #[test]
    fn code_is_checked_for_size_syntax_and_handler() {
        let ok = "function handler(event) { return event.request; }";
        assert_eq!(check(ok, Runtime::Js2), Ok(()));
        assert_eq!(check(ok, Runtime::Js1), Ok(()));
        let big = format!("{ok}//{}", "x".repeat(MAX_CODE_BYTES));
        assert_eq!(
            check(&big, Runtime::Js2).unwrap_err().code,
            "FunctionSizeLimitExceeded"
        );
        let bad = "function handler(event) {\n  var x = ;\n  return event.request;\n}";
        let e = check(bad, Runtime::Js2).unwrap_err();
        assert_eq!((e.code, e.line), ("InvalidArgument", Some(2)), "{e}");
        let none = "function other(event) { return event.request; }";
        assert!(
            check(none, Runtime::Js2)
                .unwrap_err()
                .message
                .contains("handler")
        );
    }

    #[test]
    fn runtime_1_0_refuses_const_let_async_and_classes_at_their_line() {
        let code = "function handler(event) {\n  // let me see\n  const r = event.request;\n  \
                    return r;\n}";
        assert_eq!(check(code, Runtime::Js2), Ok(()));
        let e = check(code, Runtime::Js1).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("const and let"));
        let arrow = "var f = (a) => `${a}`;\nfunction handler(e) { return e.request; }";
        assert_eq!(check(arrow, Runtime::Js1), Ok(()));
        let a = "async function handler(e) { return e.request; }";
        assert!(
            check(a, Runtime::Js1)
                .unwrap_err()
                .message
                .contains("async")
        );
    }
}
