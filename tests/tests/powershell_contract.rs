//! Static checks of the PowerShell module `MSCommerce`, for machines without a PowerShell engine.
//!
//! Every `.ps1`, `.psm1` and `.psd1` file under `powershell/` is parsed with the tree-sitter PowerShell grammar,
//! and the syntax trees are checked against three contracts:
//!
//! - the manifest exports exactly the functions of `Public/`, one per file, named like the file;
//! - Microsoft's six cmdlets keep the parameter names, types, parameter sets, mandatory flags and positions of
//!   Microsoft's module 2.x (the table below, from `reference/mscommerce-wire-protocol.md`);
//! - every request the module sends exists in `docs/openapi.json`;
//! - the subscription commands keep their own parameter contract (types, mandatory flags, positions, pipeline
//!   binding by property name, ShouldProcess and ConfirmImpact), every function uses an approved verb, and every
//!   public command whose verb changes something supports ShouldProcess.
//! - the license request commands take piped requests by RequestId (or its alias Id) and nothing else of them,
//!   send their own routes only, and ask before each answer or change (ConfirmImpact Medium).
//!
//! How requests are found: the module talks HTTP only through `Invoke-MSCommerceRestMethod`, and every call of
//! it names its request literally, either as arguments (`-Method 'POST' -Path '/oauth2/v2.0/token'`) or in the
//! hashtable literal it splats (`$splatRest = @{ Method = 'GET'; Path = '/v1.0/policies/{policyId}' }` then
//! `Invoke-MSCommerceRestMethod @splatRest`; the nearest assignment before the call counts). A call whose method
//! or path cannot be read that way fails the test. Path segments written `{name}` or containing `$` are
//! parameters and match any `{param}` segment of the OpenAPI document; a query string is ignored. Only the keys of
//! `paths` and their lowercase method keys are read from the document.
//!
//! The parameter contract of every public command (types, aliases, sets, positions, mandatory flags, pipeline
//! binding, ShouldProcess, ConfirmImpact, and Microsoft's 1.x and 2.x positions) is kept once, in
//! `powershell/tests/Contract.json`: this test checks the source against it, and the Pester test
//! `powershell/tests/Unit/Contract.Tests.ps1` checks what PowerShell reports against the same file.
//!
//! The Pester tests in `powershell/tests/` check the behaviour wherever `pwsh` exists.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser, Tree};

/// The parameter set PowerShell uses when a function names none.
const ALL_SETS: &str = "__AllParameterSets";

/// The command every request goes through.
const REST_ENTRY_POINT: &str = "Invoke-MSCommerceRestMethod";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the repository root")
        .to_path_buf()
}

fn powershell_dir() -> PathBuf {
    repo_root().join("powershell")
}

fn module_dir() -> PathBuf {
    powershell_dir().join("MSCommerce")
}

/// One parsed file.
struct Source {
    /// Path relative to the repository root, with forward slashes, for messages.
    name: String,
    text: String,
    tree: Tree,
}

impl Source {
    fn load(path: &Path) -> Source {
        let text = fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_powershell::LANGUAGE.into())
            .expect("the PowerShell grammar matches this tree-sitter version");
        let tree = parser
            .parse(&text, None)
            .expect("tree-sitter returns a tree for any input");
        let name = path
            .strip_prefix(repo_root())
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        Source { name, text, tree }
    }

    fn text_of(&self, node: Node) -> &str {
        node.utf8_text(self.text.as_bytes())
            .expect("the source is UTF-8")
    }

    /// `file:line` of a node, 1-based.
    fn location(&self, node: Node) -> String {
        format!("{}:{}", self.name, node.start_position().row + 1)
    }
}

/// Every `.ps1`, `.psm1` and `.psd1` file under `dir`, sorted.
fn powershell_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = fs::read_dir(&current)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", current.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if matches!(
                path.extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
                Some("ps1" | "psm1" | "psd1")
            ) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// All nodes of a tree, depth first, in source order.
fn descendants(root: Node) -> Vec<Node> {
    let mut nodes = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        nodes.push(node);
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    nodes
}

fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

fn children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

fn first_descendant<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    descendants(node).into_iter().find(|n| n.kind() == kind)
}

/// The value of a quoted string literal, or the text as it is.
fn unquote(text: &str) -> String {
    let trimmed = text.trim();
    let bytes = trimmed.as_bytes();
    if trimmed.len() >= 2 && bytes[0] == b'\'' && bytes[trimmed.len() - 1] == b'\'' {
        trimmed[1..trimmed.len() - 1].replace("''", "'")
    } else if trimmed.len() >= 2 && bytes[0] == b'"' && bytes[trimmed.len() - 1] == b'"' {
        trimmed[1..trimmed.len() - 1].to_string()
    } else {
        trimmed.to_string()
    }
}

fn is_string_literal(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with('\'') && t.ends_with('\'') && t.len() >= 2)
        || (t.starts_with('"') && t.ends_with('"') && t.len() >= 2)
}

/// Syntax errors and missing tokens of one file, as `file:line:column: ...` lines in source order. An ERROR node
/// that contains another ERROR or MISSING node is not reported itself: the inner one is the precise place.
fn syntax_problems(source: &Source) -> Vec<String> {
    let mut problems = Vec::new();
    for node in descendants(source.tree.root_node()) {
        let position = node.start_position();
        let what = if node.is_missing() {
            format!("missing `{}`", node.kind())
        } else if node.is_error()
            && !descendants(node)
                .iter()
                .skip(1)
                .any(|inner| inner.is_error() || inner.is_missing())
        {
            let excerpt: String = source
                .text_of(node)
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect();
            format!("syntax error (ERROR node) at `{excerpt}`")
        } else {
            continue;
        };
        problems.push((
            position.row,
            position.column,
            format!(
                "{}:{}:{}: {what}",
                source.name,
                position.row + 1,
                position.column + 1
            ),
        ));
    }
    problems.sort();
    problems
        .into_iter()
        .map(|(_, _, problem)| problem)
        .collect()
}

#[test]
fn every_powershell_file_parses_without_errors() {
    let files = powershell_files(&powershell_dir());
    assert!(
        files.len() >= 20,
        "expected the module and its tests under powershell/, found only {} PowerShell files",
        files.len()
    );
    let problems: Vec<String> = files
        .iter()
        .flat_map(|path| syntax_problems(&Source::load(path)))
        .collect();
    assert!(
        problems.is_empty(),
        "the tree-sitter PowerShell grammar rejects {} place(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The string values of the manifest key `key` (for example FunctionsToExport).
fn manifest_strings(manifest: &Source, key: &str) -> Option<(Vec<String>, String)> {
    for entry in descendants(manifest.tree.root_node())
        .into_iter()
        .filter(|n| n.kind() == "hash_entry")
    {
        let parts = children(entry);
        let Some(key_node) = parts.iter().find(|n| n.kind() == "key_expression") else {
            continue;
        };
        if !manifest.text_of(*key_node).trim().eq_ignore_ascii_case(key) {
            continue;
        }
        let value_text: String = parts
            .iter()
            .skip_while(|n| n.kind() != "=")
            .skip(1)
            .map(|n| manifest.text_of(*n))
            .collect::<Vec<_>>()
            .join(" ");
        let strings = descendants(entry)
            .into_iter()
            .filter(|n| n.kind() == "string_literal")
            .map(|n| unquote(manifest.text_of(n)))
            .collect();
        return Some((strings, value_text));
    }
    None
}

/// The top-level functions of a file, with their nodes.
fn top_level_functions<'s>(source: &'s Source) -> Vec<(String, Node<'s>)> {
    let root = source.tree.root_node();
    let mut functions = Vec::new();
    for child in named_children(root) {
        let statements = if child.kind() == "statement_list" {
            named_children(child)
        } else {
            vec![child]
        };
        for statement in statements {
            if statement.kind() == "function_statement" {
                let name = named_children(statement)
                    .into_iter()
                    .find(|n| n.kind() == "function_name")
                    .map(|n| source.text_of(n).to_string())
                    .unwrap_or_default();
                functions.push((name, statement));
            }
        }
    }
    functions
}

/// A hint for failures that follow from a syntax error.
fn parse_note(source: &Source) -> String {
    if source.tree.root_node().has_error() {
        " (the file has syntax errors, see every_powershell_file_parses_without_errors)".to_string()
    } else {
        String::new()
    }
}

fn public_sources() -> Vec<Source> {
    let public = module_dir().join("Public");
    let sources: Vec<Source> = powershell_files(&public)
        .iter()
        .map(|p| Source::load(p))
        .collect();
    assert!(
        !sources.is_empty(),
        "no PowerShell files in {}",
        public.display()
    );
    sources
}

fn file_stem(source: &Source) -> String {
    Path::new(&source.name)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

#[test]
fn manifest_exports_exactly_the_public_functions() {
    let manifest = Source::load(&module_dir().join("MSCommerce.psd1"));
    let mut problems = Vec::new();

    let (exported, exported_text) = manifest_strings(&manifest, "FunctionsToExport")
        .unwrap_or_else(|| panic!("{}: no FunctionsToExport entry", manifest.name));
    if exported_text.contains('*') {
        problems.push(format!(
            "{}: FunctionsToExport uses a wildcard: {exported_text}",
            manifest.name
        ));
    }
    for key in ["CmdletsToExport", "AliasesToExport", "VariablesToExport"] {
        match manifest_strings(&manifest, key) {
            Some((values, _)) if values.is_empty() => {}
            Some((values, text)) => problems.push(format!(
                "{}: {key} must be @(), found {text} ({values:?})",
                manifest.name
            )),
            None => problems.push(format!(
                "{}: {key} is missing; write {key} = @()",
                manifest.name
            )),
        }
    }

    let mut public = BTreeSet::new();
    for source in public_sources() {
        let stem = file_stem(&source);
        let functions = top_level_functions(&source);
        let names: Vec<&str> = functions.iter().map(|(name, _)| name.as_str()).collect();
        if names != [stem.as_str()] {
            problems.push(format!(
                "{}: a Public file must define exactly one function named like the file ({stem}), found \
                 {names:?}{}",
                source.name,
                parse_note(&source)
            ));
        }
        public.insert(stem);
    }

    let exported: BTreeSet<String> = exported.into_iter().collect();
    for missing in public.difference(&exported) {
        problems.push(format!(
            "{}: Public/{missing}.ps1 is not in FunctionsToExport",
            manifest.name
        ));
    }
    for extra in exported.difference(&public) {
        problems.push(format!(
            "{}: FunctionsToExport lists '{extra}', but there is no Public/{extra}.ps1",
            manifest.name
        ));
    }
    assert!(
        problems.is_empty(),
        "manifest exports do not match Public/:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Parameter contract of Microsoft's six cmdlets
// ---------------------------------------------------------------------------------------------------------------

/// One `[Parameter(...)]` attribute.
#[derive(Debug, Clone, Default)]
struct ParameterAttribute {
    set: Option<String>,
    mandatory: bool,
    position: Option<i64>,
    by_property_name: bool,
}

#[derive(Debug)]
struct ScriptParameter {
    name: String,
    type_name: Option<String>,
    attributes: Vec<ParameterAttribute>,
    validate_set: Option<Vec<String>>,
    aliases: Vec<String>,
    line: String,
}

#[derive(Debug, Default)]
struct CmdletBinding {
    default_set: Option<String>,
    supports_should_process: bool,
    confirm_impact: Option<String>,
    positional_binding: bool,
}

#[derive(Debug)]
struct FunctionMetadata {
    binding: CmdletBinding,
    parameters: Vec<ScriptParameter>,
}

/// What one parameter is in one parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Membership {
    mandatory: bool,
    position: Option<i64>,
}

/// (name, value) pairs of an attribute's arguments; a bare name has no value.
fn attribute_arguments(source: &Source, attribute: Node) -> Vec<(Option<String>, Option<String>)> {
    let Some(arguments) = named_children(attribute)
        .into_iter()
        .find(|n| n.kind() == "attribute_arguments")
    else {
        return Vec::new();
    };
    named_children(arguments)
        .into_iter()
        .filter(|n| n.kind() == "attribute_argument")
        .map(|argument| {
            let parts = children(argument);
            match parts.as_slice() {
                [name] if name.kind() == "simple_name" => {
                    (Some(source.text_of(*name).to_string()), None)
                }
                [name, equals, value, ..]
                    if name.kind() == "simple_name" && equals.kind() == "=" =>
                {
                    (
                        Some(source.text_of(*name).to_string()),
                        Some(source.text_of(*value).to_string()),
                    )
                }
                _ => (None, Some(source.text_of(argument).to_string())),
            }
        })
        .collect()
}

fn attribute_name(source: &Source, attribute: Node) -> Option<String> {
    named_children(attribute)
        .into_iter()
        .find(|n| n.kind() == "attribute_name")
        .map(|n| source.text_of(n).trim().to_string())
}

fn is_true(value: &Option<String>) -> bool {
    value
        .as_deref()
        .map(|v| v.trim().eq_ignore_ascii_case("$true"))
        .unwrap_or(true)
}

fn short_name(name: &str) -> String {
    name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase()
}

fn function_metadata(source: &Source, function: Node) -> FunctionMetadata {
    let script_block = named_children(function)
        .into_iter()
        .find(|n| n.kind() == "script_block")
        .unwrap_or_else(|| panic!("{}: the function has no body", source.location(function)));
    let param_block = named_children(script_block)
        .into_iter()
        .find(|n| n.kind() == "param_block")
        .unwrap_or_else(|| {
            panic!(
                "{}: the function has no param() block",
                source.location(function)
            )
        });

    let mut binding = CmdletBinding {
        positional_binding: true,
        ..CmdletBinding::default()
    };
    if let Some(list) = named_children(param_block)
        .into_iter()
        .find(|n| n.kind() == "attribute_list")
    {
        for attribute in named_children(list) {
            if attribute_name(source, attribute).map(|n| short_name(&n))
                != Some("cmdletbinding".into())
            {
                continue;
            }
            for (name, value) in attribute_arguments(source, attribute) {
                match name.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    Some("defaultparametersetname") => {
                        binding.default_set = value.map(|v| unquote(&v))
                    }
                    Some("supportsshouldprocess") => {
                        binding.supports_should_process = is_true(&value)
                    }
                    Some("confirmimpact") => binding.confirm_impact = value.map(|v| unquote(&v)),
                    Some("positionalbinding") => binding.positional_binding = is_true(&value),
                    _ => {}
                }
            }
        }
    }

    let mut parameters = Vec::new();
    let Some(list) = named_children(param_block)
        .into_iter()
        .find(|n| n.kind() == "parameter_list")
    else {
        return FunctionMetadata {
            binding,
            parameters,
        };
    };
    for script_parameter in named_children(list)
        .into_iter()
        .filter(|n| n.kind() == "script_parameter")
    {
        let variable = named_children(script_parameter)
            .into_iter()
            .find(|n| n.kind() == "variable")
            .expect("a script parameter has a variable");
        let mut parameter = ScriptParameter {
            name: source.text_of(variable).trim_start_matches('$').to_string(),
            type_name: None,
            attributes: Vec::new(),
            validate_set: None,
            aliases: Vec::new(),
            line: source.location(script_parameter),
        };
        let attributes = named_children(script_parameter)
            .into_iter()
            .filter(|n| n.kind() == "attribute_list")
            .flat_map(named_children);
        for attribute in attributes {
            match attribute_name(source, attribute) {
                None => {
                    // A type constraint such as [string] or [string[]].
                    let text = source.text_of(attribute).trim();
                    parameter.type_name = Some(
                        text.trim_start_matches('[')
                            .strip_suffix(']')
                            .unwrap_or(text)
                            .to_string(),
                    );
                }
                Some(name) if short_name(&name) == "parameter" => {
                    let mut parsed = ParameterAttribute::default();
                    for (key, value) in attribute_arguments(source, attribute) {
                        match key.as_deref().map(str::to_ascii_lowercase).as_deref() {
                            Some("mandatory") => parsed.mandatory = is_true(&value),
                            Some("parametersetname") => parsed.set = value.map(|v| unquote(&v)),
                            Some("position") => {
                                parsed.position = value.and_then(|v| v.trim().parse().ok())
                            }
                            Some("valuefrompipelinebypropertyname") => {
                                parsed.by_property_name = is_true(&value)
                            }
                            _ => {}
                        }
                    }
                    parameter.attributes.push(parsed);
                }
                Some(name) if short_name(&name) == "alias" => {
                    parameter.aliases.extend(
                        attribute_arguments(source, attribute)
                            .into_iter()
                            .filter(|(key, _)| key.is_none())
                            .filter_map(|(_, value)| value.map(|v| unquote(&v))),
                    );
                }
                Some(name) if short_name(&name) == "validateset" => {
                    parameter.validate_set = Some(
                        attribute_arguments(source, attribute)
                            .into_iter()
                            .filter(|(key, _)| key.is_none())
                            .filter_map(|(_, value)| value.map(|v| unquote(&v)))
                            .collect(),
                    );
                }
                Some(_) => {}
            }
        }
        parameters.push(parameter);
    }
    FunctionMetadata {
        binding,
        parameters,
    }
}

/// Parameter set -> parameter -> membership, computed with PowerShell's rules: a parameter without a set name is
/// in every set; positions are given in declaration order to every parameter except switches only when no
/// parameter names a set or a position and positional binding is on.
fn effective_sets(metadata: &FunctionMetadata) -> BTreeMap<String, BTreeMap<String, Membership>> {
    let named_sets: BTreeSet<String> = metadata
        .parameters
        .iter()
        .flat_map(|p| p.attributes.iter())
        .filter_map(|a| a.set.clone())
        .filter(|s| s != ALL_SETS)
        .collect();
    let custom = metadata
        .parameters
        .iter()
        .flat_map(|p| p.attributes.iter())
        .any(|a| a.position.is_some() || a.set.as_deref().is_some_and(|s| s != ALL_SETS));
    let all_sets: Vec<String> = if named_sets.is_empty() {
        vec![ALL_SETS.to_string()]
    } else {
        named_sets.into_iter().collect()
    };

    let mut sets: BTreeMap<String, BTreeMap<String, Membership>> = all_sets
        .iter()
        .map(|s| (s.clone(), BTreeMap::new()))
        .collect();
    let mut automatic_position = 0;
    for parameter in &metadata.parameters {
        let is_switch = parameter.type_name.as_deref().map(short_name).as_deref() == Some("switch")
            || parameter.type_name.as_deref().map(short_name).as_deref() == Some("switchparameter");
        let implicit = if !custom && metadata.binding.positional_binding && !is_switch {
            automatic_position += 1;
            Some(automatic_position - 1)
        } else {
            None
        };
        let attributes = if parameter.attributes.is_empty() {
            vec![ParameterAttribute::default()]
        } else {
            parameter.attributes.clone()
        };
        for attribute in &attributes {
            let membership = Membership {
                mandatory: attribute.mandatory,
                position: attribute.position.or(implicit),
            };
            match attribute.set.as_deref() {
                Some(set) if set != ALL_SETS => {
                    sets.entry(set.to_string())
                        .or_default()
                        .insert(parameter.name.clone(), membership);
                }
                _ => {
                    for set in &all_sets {
                        sets.get_mut(set)
                            .expect("every set is known")
                            .entry(parameter.name.clone())
                            .or_insert(membership);
                    }
                }
            }
        }
    }
    sets
}

/// Microsoft's parameter: name, accepted type constraints, and (set, mandatory, position) for each set it is in.
struct ExpectedParameter {
    name: &'static str,
    types: &'static [&'static str],
    sets: &'static [(&'static str, bool, Option<i64>)],
}

struct ExpectedCmdlet {
    name: &'static str,
    default_set: Option<&'static str>,
    sets: &'static [&'static str],
    /// Sets of our own that Microsoft's cmdlet does not have.
    extra_sets_allowed: bool,
    confirm_impact: Option<&'static str>,
    parameters: &'static [ExpectedParameter],
}

const STRING: &[&str] = &["string"];
const STRING_OR_ARRAY: &[&str] = &["string", "string[]"];
const VALUE_SET: [&str; 3] = ["Enabled", "Disabled", "OnlyTrialsWithoutPaymentMethod"];

/// Microsoft's module 2.x (reference/mscommerce-wire-protocol.md, section 1). Positions are PowerShell's automatic
/// ones: declaration order for the cmdlets without parameter sets, none ("Named") for those with sets.
/// Get-MSCommerceProductPolicies: 2.x added -Scope after 1.x's PolicyId (0) and Token (1).
const MICROSOFT_CMDLETS: &[ExpectedCmdlet] = &[
    ExpectedCmdlet {
        name: "Connect-MSCommerce",
        default_set: None,
        sets: &[ALL_SETS],
        extra_sets_allowed: true,
        confirm_impact: None,
        parameters: &[
            ExpectedParameter {
                name: "ClientId",
                types: STRING,
                sets: &[(ALL_SETS, false, Some(0))],
            },
            ExpectedParameter {
                name: "RedirectUri",
                types: &["uri", "system.uri"],
                sets: &[(ALL_SETS, false, Some(1))],
            },
            ExpectedParameter {
                name: "Resource",
                types: STRING,
                sets: &[(ALL_SETS, false, Some(2))],
            },
        ],
    },
    ExpectedCmdlet {
        name: "Get-MSCommercePolicies",
        default_set: None,
        sets: &[ALL_SETS],
        extra_sets_allowed: false,
        confirm_impact: None,
        parameters: &[ExpectedParameter {
            name: "Token",
            types: STRING,
            sets: &[(ALL_SETS, false, Some(0))],
        }],
    },
    ExpectedCmdlet {
        name: "Get-MSCommercePolicy",
        default_set: None,
        sets: &[ALL_SETS],
        extra_sets_allowed: false,
        confirm_impact: None,
        parameters: &[
            ExpectedParameter {
                name: "PolicyId",
                types: STRING,
                sets: &[(ALL_SETS, true, Some(0))],
            },
            ExpectedParameter {
                name: "Token",
                types: STRING,
                sets: &[(ALL_SETS, false, Some(1))],
            },
        ],
    },
    ExpectedCmdlet {
        name: "Get-MSCommerceProductPolicies",
        default_set: None,
        sets: &[ALL_SETS],
        extra_sets_allowed: false,
        confirm_impact: None,
        parameters: &[
            ExpectedParameter {
                name: "PolicyId",
                types: STRING,
                sets: &[(ALL_SETS, true, Some(0))],
            },
            ExpectedParameter {
                name: "Token",
                types: STRING,
                sets: &[(ALL_SETS, false, Some(1))],
            },
            ExpectedParameter {
                name: "Scope",
                types: STRING,
                sets: &[(ALL_SETS, false, Some(2))],
            },
        ],
    },
    ExpectedCmdlet {
        name: "Get-MSCommerceProductPolicy",
        default_set: Some("Product"),
        sets: &["Product", "OfferType"],
        extra_sets_allowed: false,
        confirm_impact: None,
        parameters: &[
            ExpectedParameter {
                name: "PolicyId",
                types: STRING,
                sets: &[("Product", true, None), ("OfferType", true, None)],
            },
            ExpectedParameter {
                name: "ProductId",
                types: STRING_OR_ARRAY,
                sets: &[("Product", true, None)],
            },
            ExpectedParameter {
                name: "OfferType",
                types: STRING,
                sets: &[("OfferType", true, None)],
            },
            ExpectedParameter {
                name: "Token",
                types: STRING,
                sets: &[("Product", false, None), ("OfferType", false, None)],
            },
        ],
    },
    ExpectedCmdlet {
        name: "Update-MSCommerceProductPolicy",
        default_set: Some("ProductEnum"),
        sets: &[
            "ProductEnum",
            "ProductToggle",
            "OfferTypeEnum",
            "OfferTypeToggle",
        ],
        extra_sets_allowed: false,
        confirm_impact: Some("Medium"),
        parameters: &[
            ExpectedParameter {
                name: "PolicyId",
                types: STRING,
                sets: &[
                    ("ProductEnum", true, None),
                    ("ProductToggle", true, None),
                    ("OfferTypeEnum", true, None),
                    ("OfferTypeToggle", true, None),
                ],
            },
            ExpectedParameter {
                name: "ProductId",
                types: STRING_OR_ARRAY,
                sets: &[("ProductEnum", true, None), ("ProductToggle", true, None)],
            },
            ExpectedParameter {
                name: "OfferType",
                types: STRING,
                sets: &[
                    ("OfferTypeEnum", true, None),
                    ("OfferTypeToggle", true, None),
                ],
            },
            ExpectedParameter {
                name: "Value",
                types: STRING,
                sets: &[("ProductEnum", true, None), ("OfferTypeEnum", true, None)],
            },
            ExpectedParameter {
                name: "Enabled",
                types: STRING,
                sets: &[
                    ("ProductToggle", true, None),
                    ("OfferTypeToggle", true, None),
                ],
            },
            ExpectedParameter {
                name: "Token",
                types: STRING,
                sets: &[
                    ("ProductEnum", false, None),
                    ("ProductToggle", false, None),
                    ("OfferTypeEnum", false, None),
                    ("OfferTypeToggle", false, None),
                ],
            },
        ],
    },
];

fn describe(membership: Option<&Membership>) -> String {
    match membership {
        None => "absent".to_string(),
        Some(m) => format!(
            "{}, position {}",
            if m.mandatory { "mandatory" } else { "optional" },
            m.position
                .map(|p| p.to_string())
                .unwrap_or_else(|| "Named".to_string())
        ),
    }
}

fn check_cmdlet(expected: &ExpectedCmdlet, source: &Source, function: Node) -> Vec<String> {
    let metadata = function_metadata(source, function);
    let ours = effective_sets(&metadata);
    let place = format!("{} ({})", expected.name, source.location(function));
    let mut problems = Vec::new();

    // Microsoft's single unnamed set is our default set when we added sets of our own.
    let our_set = |set: &str| -> String {
        if set == ALL_SETS && !ours.contains_key(ALL_SETS) {
            metadata
                .binding
                .default_set
                .clone()
                .unwrap_or_else(|| ALL_SETS.to_string())
        } else {
            set.to_string()
        }
    };

    if let Some(default_set) = expected.default_set {
        if metadata.binding.default_set.as_deref() != Some(default_set) {
            problems.push(format!(
                "{place}: DefaultParameterSetName must be '{default_set}', found {:?}",
                metadata.binding.default_set
            ));
        }
    }
    if let Some(impact) = expected.confirm_impact {
        if !metadata.binding.supports_should_process {
            problems.push(format!(
                "{place}: CmdletBinding must have SupportsShouldProcess"
            ));
        }
        if metadata.binding.confirm_impact.as_deref() != Some(impact) {
            problems.push(format!(
                "{place}: ConfirmImpact must be '{impact}', found {:?}",
                metadata.binding.confirm_impact
            ));
        }
    }

    let expected_sets: BTreeSet<String> = expected.sets.iter().map(|s| our_set(s)).collect();
    for set in &expected_sets {
        if !ours.contains_key(set) {
            problems.push(format!(
                "{place}: parameter set '{set}' is missing (found {:?})",
                ours.keys().collect::<Vec<_>>()
            ));
        }
    }
    if !expected.extra_sets_allowed {
        for set in ours.keys().filter(|s| !expected_sets.contains(*s)) {
            problems.push(format!(
                "{place}: parameter set '{set}' is not one of Microsoft's {:?}",
                expected.sets
            ));
        }
    }

    for parameter in expected.parameters {
        let Some(declared) = metadata
            .parameters
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(parameter.name))
        else {
            problems.push(format!("{place}: parameter -{} is missing", parameter.name));
            continue;
        };
        if declared.name != parameter.name {
            problems.push(format!(
                "{}: parameter -{} must be spelled -{}",
                declared.line, declared.name, parameter.name
            ));
        }
        let declared_type = declared
            .type_name
            .as_deref()
            .unwrap_or("object")
            .to_ascii_lowercase();
        let declared_type = declared_type.trim_start_matches("system.");
        if !parameter
            .types
            .iter()
            .any(|t| t.trim_start_matches("system.") == declared_type)
        {
            problems.push(format!(
                "{}: -{} must be of type {:?}, found [{declared_type}]",
                declared.line, parameter.name, parameter.types
            ));
        }
        for set in expected.sets {
            let wanted =
                parameter
                    .sets
                    .iter()
                    .find(|(s, _, _)| s == set)
                    .map(|(_, mandatory, position)| Membership {
                        mandatory: *mandatory,
                        position: *position,
                    });
            let target = our_set(set);
            let found = ours
                .get(&target)
                .and_then(|members| members.get(parameter.name))
                .copied();
            // A position where Microsoft's module has none ("Named") breaks no call written for it, since such a
            // call names the parameter; it is how 1.x's positional calls keep working (LEGACY_POSITIONS).
            let found = match (wanted, found) {
                (Some(w), Some(f)) if w.position.is_none() => Some(Membership {
                    position: None,
                    ..f
                }),
                _ => found,
            };
            if wanted != found {
                problems.push(format!(
                    "{}: -{} in parameter set '{target}': Microsoft's module has it {}, this module {}",
                    declared.line,
                    parameter.name,
                    describe(wanted.as_ref()),
                    describe(found.as_ref())
                ));
            }
        }
    }

    // Parameters of our own must not change how Microsoft's calls bind.
    for set in &expected_sets {
        let Some(members) = ours.get(set) else {
            continue;
        };
        for (name, membership) in members {
            if expected
                .parameters
                .iter()
                .any(|p| p.name.eq_ignore_ascii_case(name))
            {
                continue;
            }
            if membership.mandatory || membership.position.is_some() {
                problems.push(format!(
                    "{place}: added parameter -{name} is {} in Microsoft's parameter set '{set}'; it must be optional and Named",
                    describe(Some(membership))
                ));
            }
        }
    }

    if expected.name == "Update-MSCommerceProductPolicy" {
        let value = metadata.parameters.iter().find(|p| p.name == "Value");
        let values: Option<BTreeSet<String>> = value
            .and_then(|p| p.validate_set.clone())
            .map(|v| v.into_iter().collect());
        let wanted: BTreeSet<String> = VALUE_SET.iter().map(|s| s.to_string()).collect();
        if values.as_ref() != Some(&wanted) {
            problems.push(format!(
                "{place}: -Value must have ValidateSet {VALUE_SET:?}, found {values:?}"
            ));
        }
    }
    problems
}

#[test]
fn compatible_cmdlets_keep_microsofts_parameter_contract() {
    let sources = public_sources();
    let mut problems = Vec::new();
    for expected in MICROSOFT_CMDLETS {
        let found = sources.iter().find_map(|source| {
            top_level_functions(source)
                .into_iter()
                .find(|(name, _)| name == expected.name)
                .map(|(_, node)| (source, node))
        });
        match found {
            Some((source, function)) => problems.extend(check_cmdlet(expected, source, function)),
            None => problems.push(format!(
                "{}: no such function in Public/{}",
                expected.name,
                sources
                    .iter()
                    .find(|s| file_stem(s) == expected.name)
                    .map(parse_note)
                    .unwrap_or_default()
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "the compatible cmdlets differ from Microsoft's module:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Requests against the OpenAPI document
// ---------------------------------------------------------------------------------------------------------------

/// One request the module sends.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Request {
    method: String,
    path: String,
    location: String,
}

/// Named arguments (`-Name value`) and splatted variables (`@name`) of a command.
fn command_arguments<'t>(
    source: &Source,
    command: Node<'t>,
) -> (Vec<(String, Option<Node<'t>>)>, Vec<String>) {
    let mut named = Vec::new();
    let mut splats = Vec::new();
    let Some(elements) = command.child_by_field_name("command_elements") else {
        return (named, splats);
    };
    let parts: Vec<Node> = named_children(elements)
        .into_iter()
        .filter(|n| n.kind() != "command_argument_sep")
        .collect();
    let mut index = 0;
    while index < parts.len() {
        let part = parts[index];
        let text = source.text_of(part).trim().to_string();
        if part.kind() == "command_parameter" {
            let value = parts
                .get(index + 1)
                .copied()
                .filter(|n| n.kind() != "command_parameter");
            if value.is_some() {
                index += 1;
            }
            named.push((text.trim_start_matches('-').to_ascii_lowercase(), value));
        } else if let Some(name) = text.strip_prefix('@') {
            if !name.starts_with('{') && !name.starts_with('(') {
                splats.push(name.to_ascii_lowercase());
            }
        }
        index += 1;
    }
    (named, splats)
}

/// Keys and value texts of a hashtable literal.
fn hash_entries(source: &Source, hash: Node) -> BTreeMap<String, String> {
    let mut entries = BTreeMap::new();
    let Some(body) = named_children(hash)
        .into_iter()
        .find(|n| n.kind() == "hash_literal_body")
    else {
        return entries;
    };
    for entry in named_children(body)
        .into_iter()
        .filter(|n| n.kind() == "hash_entry")
    {
        let parts = children(entry);
        let Some(key) = parts.first() else { continue };
        let value: Vec<&str> = parts
            .iter()
            .skip_while(|n| n.kind() != "=")
            .skip(1)
            .map(|n| source.text_of(*n))
            .collect();
        entries.insert(
            unquote(source.text_of(*key)).to_ascii_lowercase(),
            value.join(" ").trim().to_string(),
        );
    }
    entries
}

/// The hashtable literal most recently assigned to `$name` before `before` (a byte offset).
fn splatted_hash<'t>(source: &'t Source, name: &str, before: usize) -> Option<Node<'t>> {
    descendants(source.tree.root_node())
        .into_iter()
        .rev()
        .filter(|n| n.kind() == "assignment_expression" && n.start_byte() < before)
        .filter(|n| {
            named_children(*n)
                .first()
                .map(|left| {
                    source
                        .text_of(*left)
                        .trim()
                        .trim_start_matches('$')
                        .eq_ignore_ascii_case(name)
                })
                .unwrap_or(false)
        })
        .find_map(|n| {
            let value = n.child_by_field_name("value")?;
            if !source.text_of(value).trim_start().starts_with("@{") {
                return None;
            }
            first_descendant(value, "hash_literal_expression")
        })
}

/// Every request of the module: (requests found, calls whose request cannot be read).
fn module_requests() -> (Vec<Request>, Vec<String>) {
    let mut requests = Vec::new();
    let mut unreadable = Vec::new();
    for path in powershell_files(&module_dir()) {
        let source = Source::load(&path);
        for command in descendants(source.tree.root_node())
            .into_iter()
            .filter(|n| n.kind() == "command")
        {
            let Some(name) = command.child_by_field_name("command_name") else {
                continue;
            };
            if !source
                .text_of(name)
                .trim()
                .eq_ignore_ascii_case(REST_ENTRY_POINT)
            {
                continue;
            }
            let (named, splats) = command_arguments(&source, command);
            let mut method = None;
            let mut request_path = None;
            for (parameter, value) in &named {
                let value = value.map(|v| source.text_of(v).trim().to_string());
                match parameter.as_str() {
                    "method" => method = value,
                    "path" => request_path = value,
                    _ => {}
                }
            }
            for splat in &splats {
                if let Some(hash) = splatted_hash(&source, splat, command.start_byte()) {
                    let entries = hash_entries(&source, hash);
                    method = method.or_else(|| entries.get("method").cloned());
                    request_path = request_path.or_else(|| entries.get("path").cloned());
                }
            }
            match (method, request_path) {
                (Some(m), Some(p)) if is_string_literal(&m) && is_string_literal(&p) => requests.push(Request {
                    method: unquote(&m).to_ascii_lowercase(),
                    path: unquote(&p),
                    location: source.location(command),
                }),
                (m, p) => unreadable.push(format!(
                    "{}: cannot read the request of `{}` (method {m:?}, path {p:?}); pass -Method and -Path as string \
                     literals, directly or in the splatted hashtable literal",
                    source.location(command),
                    source.text_of(command).lines().next().unwrap_or("").trim()
                )),
            }
        }
    }
    requests.sort();
    (requests, unreadable)
}

fn is_parameter_segment(segment: &str) -> bool {
    (segment.starts_with('{') && segment.ends_with('}')) || segment.contains('$')
}

fn path_matches(module_path: &str, openapi_path: &str) -> bool {
    let module_path = module_path.split('?').next().unwrap_or(module_path);
    let ours: Vec<&str> = module_path.trim_end_matches('/').split('/').collect();
    let theirs: Vec<&str> = openapi_path.trim_end_matches('/').split('/').collect();
    ours.len() == theirs.len()
        && ours.iter().zip(&theirs).all(|(o, t)| {
            let t_param = t.starts_with('{') && t.ends_with('}');
            if is_parameter_segment(o) {
                t_param
            } else {
                t_param || o == t
            }
        })
}

#[test]
fn every_request_of_the_module_exists_in_openapi() {
    let document_path = repo_root().join("docs").join("openapi.json");
    let document: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(&document_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", document_path.display())),
    )
    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", document_path.display()));
    let paths = document["paths"]
        .as_object()
        .expect("docs/openapi.json has a `paths` object");

    let (requests, mut problems) = module_requests();
    for request in &requests {
        let operation = paths.iter().find(|(path, item)| {
            path_matches(&request.path, path) && item.get(request.method.as_str()).is_some()
        });
        if operation.is_none() {
            let same_path: Vec<&String> = paths
                .keys()
                .filter(|p| path_matches(&request.path, p))
                .collect();
            problems.push(format!(
                "{}: {} {} is not in docs/openapi.json{}",
                request.location,
                request.method.to_ascii_uppercase(),
                request.path,
                if same_path.is_empty() {
                    " (no such path)".to_string()
                } else {
                    format!(
                        " (the path {same_path:?} has no `{}` operation)",
                        request.method
                    )
                }
            ));
        }
    }

    // The extraction itself must keep finding the requests every user relies on.
    let found: BTreeSet<(String, String)> = requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    for (method, path) in [
        ("get", "/v1.0/policies"),
        ("get", "/v1.0/policies/{policyId}"),
        ("get", "/v1.0/policies/{policyId}/products"),
        ("get", "/v1.0/policies/{policyId}/products/{productId}"),
        ("put", "/v1.0/policies/{policyId}/products/{productId}"),
        ("get", "/v1.0/policies/{policyId}/offerTypes/{offerType}"),
        ("put", "/v1.0/policies/{policyId}/offerTypes/{offerType}"),
        ("get", "/v1.0/auditLogs/policyChanges"),
        ("get", "/v1.0/auditLogs/events"),
        ("get", "/v1.0/subscriptions"),
        ("get", "/v1.0/subscriptions/{subscriptionId}"),
        ("get", "/v1.0/licenses/products"),
        ("get", "/v1.0/licenses/products/{productId}"),
        ("post", "/v1.0/subscriptions/exportUsers"),
        (
            "post",
            "/v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers",
        ),
        (
            "post",
            "/v1.0/subscriptions/{subscriptionId}/takeOver/cancel",
        ),
        ("post", "/oauth2/v2.0/token"),
        ("post", "/{tenantId}/oauth2/v2.0/token"),
        ("post", "/{tenantId}/oauth2/v2.0/devicecode"),
        ("post", "/{tenantId}/oauth2/v2.0/revoke"),
    ] {
        if !found.contains(&(method.to_string(), path.to_string())) {
            problems.push(format!(
                "no call of {REST_ENTRY_POINT} sends {} {path}; found: {:?}",
                method.to_ascii_uppercase(),
                found
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "requests of the PowerShell module do not match docs/openapi.json:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The module's own commands: subscription contract, verbs, ShouldProcess
// ---------------------------------------------------------------------------------------------------------------

/// A parameter of one of the module's own commands: the sets it is in, as (set, mandatory, position), and how it
/// binds from the pipeline.
struct OwnParameter {
    name: &'static str,
    types: &'static [&'static str],
    sets: &'static [(&'static str, bool, Option<i64>)],
    by_property_name: bool,
    validate_set: Option<&'static [&'static str]>,
}

struct OwnCmdlet {
    name: &'static str,
    default_set: Option<&'static str>,
    should_process: bool,
    confirm_impact: Option<&'static str>,
    parameters: &'static [OwnParameter],
}

const STRING_ARRAY: &[&str] = &["string[]"];
const SWITCH: &[&str] = &["switch", "switchparameter"];
const CANCELLATION_REASONS: &[&str] = &[
    "NoLongerNeeded",
    "TooExpensive",
    "DuplicatePurchase",
    "PurchasedByMistake",
    "MovingToCentralLicenses",
    "SecurityOrCompliance",
    "NotApprovedByOrganization",
    "Other",
];

/// What docs/POWERSHELL.md promises about the subscription commands: scripts and pipelines rely on it.
/// Get-MSCommerceAuditLog keeps the automatic positions it had before -AllEvents (a switch takes none).
const OFFER_TYPES: &[&str] = &["SaaS", "POWERBIVISUALS", "DYNAMICSCE", "DYNAMICSBC"];

const SUBSCRIPTION_CMDLETS: &[OwnCmdlet] = &[
    OwnCmdlet {
        name: "New-MSCommerceSubscription",
        default_set: Some("Product"),
        should_process: true,
        // It spends money: PowerShell asks by default, as for Move and Stop.
        confirm_impact: Some("High"),
        parameters: &[
            OwnParameter {
                name: "ProductId",
                types: STRING,
                sets: &[("Product", true, Some(0))],
                by_property_name: true,
                validate_set: None,
            },
            OwnParameter {
                name: "OfferType",
                types: STRING,
                sets: &[("OfferType", true, None)],
                by_property_name: false,
                validate_set: Some(OFFER_TYPES),
            },
            OwnParameter {
                name: "Quantity",
                types: &["int"],
                sets: &[("Product", true, None), ("OfferType", true, None)],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "BillingFrequency",
                types: STRING,
                sets: &[("Product", false, None), ("OfferType", false, None)],
                by_property_name: false,
                validate_set: Some(&["Monthly", "Annual"]),
            },
            OwnParameter {
                name: "Token",
                types: STRING,
                sets: &[("Product", false, None), ("OfferType", false, None)],
                by_property_name: false,
                validate_set: None,
            },
        ],
    },
    OwnCmdlet {
        name: "Get-MSCommerceSubscription",
        default_set: Some("List"),
        should_process: false,
        confirm_impact: None,
        parameters: &[
            OwnParameter {
                name: "PurchaseType",
                types: STRING,
                sets: &[("List", false, None)],
                by_property_name: false,
                validate_set: Some(&["SelfService", "Central", "All"]),
            },
            OwnParameter {
                name: "SubscriptionId",
                types: STRING_ARRAY,
                sets: &[("ById", true, None)],
                by_property_name: true,
                validate_set: None,
            },
            OwnParameter {
                name: "First",
                types: &["int"],
                sets: &[("List", false, None)],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "Token",
                types: STRING,
                sets: &[("List", false, None), ("ById", false, None)],
                by_property_name: false,
                validate_set: None,
            },
        ],
    },
    OwnCmdlet {
        name: "Get-MSCommerceLicense",
        default_set: None,
        should_process: false,
        confirm_impact: None,
        parameters: &[
            OwnParameter {
                name: "ProductId",
                types: STRING_ARRAY,
                sets: &[(ALL_SETS, false, Some(0))],
                by_property_name: true,
                validate_set: None,
            },
            OwnParameter {
                name: "Token",
                types: STRING,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
        ],
    },
    OwnCmdlet {
        name: "Export-MSCommerceLicenseUser",
        default_set: None,
        should_process: true,
        confirm_impact: Some("Low"),
        parameters: &[
            OwnParameter {
                name: "Path",
                types: STRING,
                sets: &[(ALL_SETS, true, Some(0))],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "SubscriptionId",
                types: STRING_ARRAY,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: true,
                validate_set: None,
            },
            OwnParameter {
                name: "Force",
                types: SWITCH,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "Token",
                types: STRING,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
        ],
    },
    OwnCmdlet {
        name: "Move-MSCommerceSubscriptionUser",
        default_set: None,
        should_process: true,
        confirm_impact: Some("High"),
        parameters: &[
            OwnParameter {
                name: "SubscriptionId",
                types: STRING,
                sets: &[(ALL_SETS, true, Some(0))],
                by_property_name: true,
                validate_set: None,
            },
            OwnParameter {
                name: "TargetSubscriptionId",
                types: STRING,
                sets: &[(ALL_SETS, true, None)],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "ETag",
                types: STRING,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: true,
                validate_set: None,
            },
            OwnParameter {
                name: "Force",
                types: SWITCH,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "Token",
                types: STRING,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
        ],
    },
    OwnCmdlet {
        name: "Stop-MSCommerceSubscription",
        default_set: None,
        should_process: true,
        confirm_impact: Some("High"),
        parameters: &[
            OwnParameter {
                name: "SubscriptionId",
                types: STRING,
                sets: &[(ALL_SETS, true, Some(0))],
                by_property_name: true,
                validate_set: None,
            },
            OwnParameter {
                name: "Reason",
                types: STRING,
                sets: &[(ALL_SETS, true, None)],
                by_property_name: false,
                validate_set: Some(CANCELLATION_REASONS),
            },
            OwnParameter {
                name: "Comment",
                types: STRING,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "ETag",
                types: STRING,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: true,
                validate_set: None,
            },
            OwnParameter {
                name: "Force",
                types: SWITCH,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "Token",
                types: STRING,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
        ],
    },
    OwnCmdlet {
        name: "Get-MSCommerceAuditLog",
        default_set: None,
        should_process: false,
        confirm_impact: None,
        parameters: &[
            OwnParameter {
                name: "AllEvents",
                types: SWITCH,
                sets: &[(ALL_SETS, false, None)],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "First",
                types: &["int"],
                sets: &[(ALL_SETS, false, Some(0))],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "Top",
                types: &["int"],
                sets: &[(ALL_SETS, false, Some(1))],
                by_property_name: false,
                validate_set: None,
            },
            OwnParameter {
                name: "Token",
                types: STRING,
                sets: &[(ALL_SETS, false, Some(2))],
                by_property_name: false,
                validate_set: None,
            },
        ],
    },
];

fn check_own_cmdlet(expected: &OwnCmdlet, source: &Source, function: Node) -> Vec<String> {
    let metadata = function_metadata(source, function);
    let ours = effective_sets(&metadata);
    let place = format!("{} ({})", expected.name, source.location(function));
    let mut problems = Vec::new();

    if metadata.binding.default_set.as_deref() != expected.default_set {
        problems.push(format!(
            "{place}: DefaultParameterSetName must be {:?}, found {:?}",
            expected.default_set, metadata.binding.default_set
        ));
    }
    if metadata.binding.supports_should_process != expected.should_process {
        problems.push(format!(
            "{place}: SupportsShouldProcess must be {}",
            expected.should_process
        ));
    }
    if metadata.binding.confirm_impact.as_deref() != expected.confirm_impact {
        problems.push(format!(
            "{place}: ConfirmImpact must be {:?}, found {:?}",
            expected.confirm_impact, metadata.binding.confirm_impact
        ));
    }

    let expected_sets: BTreeSet<&str> = expected
        .parameters
        .iter()
        .flat_map(|p| p.sets.iter().map(|(set, _, _)| *set))
        .collect();
    let found_sets: BTreeSet<&str> = ours.keys().map(String::as_str).collect();
    if expected_sets != found_sets {
        problems.push(format!(
            "{place}: the parameter sets must be {expected_sets:?}, found {found_sets:?}"
        ));
    }

    for parameter in expected.parameters {
        let Some(declared) = metadata
            .parameters
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(parameter.name))
        else {
            problems.push(format!("{place}: parameter -{} is missing", parameter.name));
            continue;
        };
        if declared.name != parameter.name {
            problems.push(format!(
                "{}: parameter -{} must be spelled -{}",
                declared.line, declared.name, parameter.name
            ));
        }
        let declared_type = declared
            .type_name
            .as_deref()
            .unwrap_or("object")
            .to_ascii_lowercase();
        let declared_type = declared_type.trim_start_matches("system.");
        if !parameter.types.contains(&declared_type) {
            problems.push(format!(
                "{}: -{} must be of type {:?}, found [{declared_type}]",
                declared.line, parameter.name, parameter.types
            ));
        }
        let by_property_name = declared.attributes.iter().any(|a| a.by_property_name);
        if by_property_name != parameter.by_property_name {
            problems.push(format!(
                "{}: -{} must {}bind from the pipeline by property name",
                declared.line,
                parameter.name,
                if parameter.by_property_name {
                    ""
                } else {
                    "not "
                }
            ));
        }
        let wanted_values: Option<BTreeSet<&str>> = parameter
            .validate_set
            .map(|values| values.iter().copied().collect());
        let found_values: Option<BTreeSet<&str>> = declared
            .validate_set
            .as_ref()
            .map(|values| values.iter().map(String::as_str).collect());
        if wanted_values != found_values {
            problems.push(format!(
                "{}: -{} must have ValidateSet {:?}, found {:?}",
                declared.line, parameter.name, parameter.validate_set, declared.validate_set
            ));
        }
        for set in &found_sets {
            let wanted =
                parameter
                    .sets
                    .iter()
                    .find(|(s, _, _)| s == set)
                    .map(|(_, mandatory, position)| Membership {
                        mandatory: *mandatory,
                        position: *position,
                    });
            let found = ours
                .get(*set)
                .and_then(|members| members.get(parameter.name))
                .copied();
            if wanted != found {
                problems.push(format!(
                    "{}: -{} in parameter set '{set}' must be {}, found {}",
                    declared.line,
                    parameter.name,
                    describe(wanted.as_ref()),
                    describe(found.as_ref())
                ));
            }
        }
    }

    let known: BTreeSet<String> = expected
        .parameters
        .iter()
        .map(|p| p.name.to_ascii_lowercase())
        .collect();
    for declared in &metadata.parameters {
        if !known.contains(&declared.name.to_ascii_lowercase()) {
            problems.push(format!(
                "{}: parameter -{} of {} is not in the contract of tests/tests/powershell_contract.rs; add it there \
                 and to docs/POWERSHELL.md",
                declared.line, declared.name, expected.name
            ));
        }
    }
    problems
}

#[test]
fn subscription_cmdlets_keep_their_contract() {
    let sources = public_sources();
    let mut problems = Vec::new();
    for expected in SUBSCRIPTION_CMDLETS {
        let found = sources.iter().find_map(|source| {
            top_level_functions(source)
                .into_iter()
                .find(|(name, _)| name == expected.name)
                .map(|(_, node)| (source, node))
        });
        match found {
            Some((source, function)) => {
                problems.extend(check_own_cmdlet(expected, source, function))
            }
            None => problems.push(format!("{}: no such function in Public/", expected.name)),
        }
    }
    assert!(
        problems.is_empty(),
        "the subscription commands differ from their documented contract:\n{}",
        problems.join("\n")
    );
}

/// A command, the requests (method, path) it sends, and whether it answers or changes something (and so asks first).
type CommandRequests = (&'static str, &'static [(&'static str, &'static str)], bool);

/// The license request commands. What docs/POWERSHELL.md ("License requests") promises: scripts pipe the objects of
/// Get-MSCommerceLicenseRequest into the others.
const LICENSE_REQUEST_CMDLETS: &[CommandRequests] = &[
    (
        "Get-MSCommerceLicenseRequest",
        &[
            ("get", "/v1.0/licenseRequests"),
            ("get", "/v1.0/licenseRequests/{requestId}"),
            ("get", "/v1.0/me/licenseRequests"),
        ],
        false,
    ),
    (
        "New-MSCommerceLicenseRequest",
        &[("post", "/v1.0/me/licenseRequests")],
        true,
    ),
    (
        "Approve-MSCommerceLicenseRequest",
        &[("post", "/v1.0/licenseRequests/{requestId}/approve")],
        true,
    ),
    (
        "Deny-MSCommerceLicenseRequest",
        &[("post", "/v1.0/licenseRequests/{requestId}/deny")],
        true,
    ),
    (
        "Send-MSCommerceLicenseRequest",
        &[("post", "/v1.0/licenseRequests/{requestId}/share")],
        true,
    ),
    (
        "Get-MSCommerceLicenseRequestSetting",
        &[("get", "/v1.0/licenseRequestSettings")],
        false,
    ),
    (
        "Set-MSCommerceLicenseRequestSetting",
        &[
            ("get", "/v1.0/licenseRequestSettings"),
            ("put", "/v1.0/licenseRequestSettings"),
        ],
        true,
    ),
];

/// A piped license request binds its ID to -RequestId, by the property RequestId or by the alias Id, and nothing
/// else of it binds: its own Message (the requester's) must never become an administrator's answer, nor its
/// SubscriptionId the central subscription of an approval. Every command that sends a change asks first, with
/// ConfirmImpact Medium.
#[test]
fn license_request_commands_take_piped_requests_by_id_and_ask_before_answering() {
    let sources = public_sources();
    let sent_by = requests_by_command();
    let mut problems = Vec::new();
    for (name, requests, changes) in LICENSE_REQUEST_CMDLETS {
        let Some((source, function)) = sources.iter().find_map(|source| {
            top_level_functions(source)
                .into_iter()
                .find(|(found, _)| found == name)
                .map(|(_, node)| (source, node))
        }) else {
            problems.push(format!("{name}: no such function in Public/"));
            continue;
        };
        let place = format!("{name} ({})", source.location(function));
        let metadata = function_metadata(source, function);

        let mut sent: Vec<(String, String)> = sent_by.get(*name).cloned().unwrap_or_default();
        sent.sort();
        sent.dedup();
        let mut expected: Vec<(String, String)> = requests
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        expected.sort();
        if sent != expected {
            problems.push(format!("{place}: sends {sent:?}, expected {expected:?}"));
        }

        let takes_requests = requests
            .iter()
            .any(|(_, path)| path.contains("{requestId}"));
        for parameter in &metadata.parameters {
            let piped = parameter.attributes.iter().any(|a| a.by_property_name);
            if parameter.name.eq_ignore_ascii_case("RequestId") {
                if !parameter
                    .aliases
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case("Id"))
                {
                    problems.push(format!("{place}: -RequestId needs the alias Id"));
                }
                if !parameter.attributes.iter().all(|a| a.by_property_name) {
                    problems.push(format!(
                        "{place}: -RequestId must bind by property name in every set"
                    ));
                }
            } else if piped && takes_requests {
                problems.push(format!(
                    "{place}: -{} binds by property name, so a piped request's own {} would bind to it",
                    parameter.name, parameter.name
                ));
            }
        }
        if takes_requests && !metadata.parameters.iter().any(|p| p.name == "RequestId") {
            problems.push(format!("{place}: has no -RequestId"));
        }

        let binding = &metadata.binding;
        if binding.supports_should_process != *changes {
            problems.push(format!(
                "{place}: SupportsShouldProcess must be {changes}, found {}",
                binding.supports_should_process
            ));
        }
        if *changes && binding.confirm_impact.as_deref() != Some("Medium") {
            problems.push(format!(
                "{place}: ConfirmImpact must be 'Medium', found {:?}",
                binding.confirm_impact
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the license request commands differ from docs/POWERSHELL.md:\n{}",
        problems.join("\n")
    );
}

/// PowerShell's approved verbs (Get-Verb) that Windows PowerShell 5.1 and PowerShell 7 both know, separated by
/// spaces.
const APPROVED_VERBS: &str =
    "Add Clear Close Copy Enter Exit Find Format Get Hide Join Lock Move New Open Optimize Pop \
     Push Redo Remove Rename Reset Resize Search Select Set Show Skip Split Step Switch Undo \
     Unlock Watch Connect Disconnect Read Receive Send Write Backup Checkpoint Compare Compress \
     Convert ConvertFrom ConvertTo Dismount Edit Expand Export Group Import Initialize Limit \
     Merge Mount Out Publish Restore Save Sync Unpublish Update Debug Measure Repair Resolve \
     Test Trace Approve Assert Complete Confirm Deny Disable Enable Install Invoke Register \
     Request Restart Resume Start Stop Submit Suspend Uninstall Unregister Wait Block Grant \
     Protect Revoke Unblock Unprotect Use";

/// Verbs of public commands that change something: they must support -WhatIf and -Confirm.
const CHANGING_VERBS: &[&str] = &[
    "Add", "Clear", "Disable", "Enable", "Export", "Move", "New", "Remove", "Reset", "Set", "Stop",
    "Update",
];

/// Verbs whose changes cannot be undone: ConfirmImpact High, so that PowerShell asks by default.
const IRREVERSIBLE_VERBS: &[&str] = &["Move", "Remove", "Stop"];

#[test]
fn commands_use_approved_verbs_and_ask_before_changes() {
    let mut problems = Vec::new();
    let public_dir = module_dir().join("Public");
    for path in powershell_files(&module_dir()) {
        if path.extension().and_then(|e| e.to_str()) != Some("ps1") {
            continue;
        }
        let source = Source::load(&path);
        let public = path.starts_with(&public_dir);
        for (name, function) in top_level_functions(&source) {
            let verb = name.split('-').next().unwrap_or_default();
            if !name.contains('-') || !APPROVED_VERBS.split_whitespace().any(|v| v == verb) {
                problems.push(format!(
                    "{}: {name} does not start with an approved verb (Get-Verb)",
                    source.location(function)
                ));
                continue;
            }
            if !public || !CHANGING_VERBS.contains(&verb) {
                continue;
            }
            let binding = function_metadata(&source, function).binding;
            if !binding.supports_should_process {
                problems.push(format!(
                    "{}: {name} changes something ({verb}) and must have [CmdletBinding(SupportsShouldProcess)]",
                    source.location(function)
                ));
            }
            if IRREVERSIBLE_VERBS.contains(&verb)
                && binding.confirm_impact.as_deref() != Some("High")
            {
                problems.push(format!(
                    "{}: {name} cannot be undone ({verb}) and must have ConfirmImpact = 'High', found {:?}",
                    source.location(function),
                    binding.confirm_impact
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "verbs and ShouldProcess of the module's functions:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Calls written for Microsoft's module 1.x
// ---------------------------------------------------------------------------------------------------------------

/// How a 1.x call binds: the name it used (a parameter or an alias of ours), the parameter it must reach, and in
/// which of our sets at which position. 1.x had no parameter sets, so its positions were the automatic ones, in
/// declaration order (reference/mscommerce-wire-protocol.md, section 1).
struct LegacyBinding {
    cmdlet: &'static str,
    name: &'static str,
    parameter: &'static str,
    set: &'static str,
    position: i64,
}

const LEGACY_POSITIONS: &[LegacyBinding] = &[
    // Connect-MSCommerce $clientId $redirectUri $resource $credential: 1.x's only unattended sign-in.
    LegacyBinding {
        cmdlet: "Connect-MSCommerce",
        name: "ClientId",
        parameter: "ClientId",
        set: "Credential",
        position: 0,
    },
    LegacyBinding {
        cmdlet: "Connect-MSCommerce",
        name: "RedirectUri",
        parameter: "RedirectUri",
        set: "Credential",
        position: 1,
    },
    LegacyBinding {
        cmdlet: "Connect-MSCommerce",
        name: "Resource",
        parameter: "Resource",
        set: "Credential",
        position: 2,
    },
    LegacyBinding {
        cmdlet: "Connect-MSCommerce",
        name: "AdminAccount",
        parameter: "Credential",
        set: "Credential",
        position: 3,
    },
    // Get-MSCommerceProductPolicy AllowSelfServicePurchase CFQ7TTC0H9MP $token.
    LegacyBinding {
        cmdlet: "Get-MSCommerceProductPolicy",
        name: "PolicyId",
        parameter: "PolicyId",
        set: "Product",
        position: 0,
    },
    LegacyBinding {
        cmdlet: "Get-MSCommerceProductPolicy",
        name: "ProductId",
        parameter: "ProductId",
        set: "Product",
        position: 1,
    },
    LegacyBinding {
        cmdlet: "Get-MSCommerceProductPolicy",
        name: "Token",
        parameter: "Token",
        set: "Product",
        position: 2,
    },
    // The same shape for the offer types 2.x added: Get-MSCommerceProductPolicy AllowSelfServicePurchase SaaS
    // binds to the default set (-ProductId); -OfferType SaaS stays named, as in 2.x.
    LegacyBinding {
        cmdlet: "Get-MSCommerceProductPolicy",
        name: "PolicyId",
        parameter: "PolicyId",
        set: "OfferType",
        position: 0,
    },
    LegacyBinding {
        cmdlet: "Get-MSCommerceProductPolicy",
        name: "OfferType",
        parameter: "OfferType",
        set: "OfferType",
        position: 1,
    },
];

#[test]
fn calls_written_for_microsofts_module_1x_still_bind() {
    let sources = public_sources();
    let mut problems = Vec::new();
    for legacy in LEGACY_POSITIONS {
        let Some((source, function)) = sources.iter().find_map(|source| {
            top_level_functions(source)
                .into_iter()
                .find(|(name, _)| name == legacy.cmdlet)
                .map(|(_, node)| (source, node))
        }) else {
            problems.push(format!("{}: no such function in Public/", legacy.cmdlet));
            continue;
        };
        let metadata = function_metadata(source, function);
        let place = format!("{} ({})", legacy.cmdlet, source.location(function));
        let Some(declared) = metadata.parameters.iter().find(|p| {
            p.name.eq_ignore_ascii_case(legacy.name)
                || p.aliases
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(legacy.name))
        }) else {
            problems.push(format!(
                "{place}: 1.x's -{} binds to no parameter or alias; it must reach -{}",
                legacy.name, legacy.parameter
            ));
            continue;
        };
        if !declared.name.eq_ignore_ascii_case(legacy.parameter) {
            problems.push(format!(
                "{}: 1.x's -{} binds to -{}, it must reach -{}",
                declared.line, legacy.name, declared.name, legacy.parameter
            ));
            continue;
        }
        let sets = effective_sets(&metadata);
        let found = sets
            .get(legacy.set)
            .and_then(|members| members.get(&declared.name))
            .copied();
        if found.and_then(|m| m.position) != Some(legacy.position) {
            problems.push(format!(
                "{}: -{} in parameter set '{}' must have position {} for 1.x's positional calls, found {}",
                declared.line,
                declared.name,
                legacy.set,
                legacy.position,
                describe(found.as_ref())
            ));
        }
        if let Some(members) = sets.get(legacy.set) {
            for (other, membership) in members {
                if other != &declared.name && membership.position == Some(legacy.position) {
                    problems.push(format!(
                        "{place}: -{other} shares position {} with -{} in parameter set '{}'",
                        legacy.position, declared.name, legacy.set
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "calls written for Microsoft's module 1.x would not bind:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Module version
// ---------------------------------------------------------------------------------------------------------------

/// Microsoft's newest MSCommerce release. Scripts that say `#Requires -Modules @{ModuleName='MSCommerce';
/// ModuleVersion='2.0'}` or `Import-Module MSCommerce -MinimumVersion 2.0` load this module only when its version
/// is at least theirs, so it is versioned above every version of Microsoft's.
const MICROSOFT_LATEST_VERSION: [u64; 3] = [3, 0, 1];

fn parse_version(text: &str) -> Option<Vec<u64>> {
    text.split('.').map(|part| part.parse().ok()).collect()
}

#[test]
fn module_version_is_above_microsofts_and_has_a_changelog_entry() {
    let manifest = Source::load(&module_dir().join("MSCommerce.psd1"));
    let (strings, text) =
        manifest_strings(&manifest, "ModuleVersion").expect("MSCommerce.psd1 has a ModuleVersion");
    let version_text = strings
        .first()
        .cloned()
        .unwrap_or_else(|| text.trim().to_string());
    let version = parse_version(&version_text)
        .unwrap_or_else(|| panic!("ModuleVersion '{version_text}' is not a version"));
    let mut padded = version.clone();
    padded.resize(4, 0);
    let mut latest = MICROSOFT_LATEST_VERSION.to_vec();
    latest.resize(4, 0);
    assert!(
        padded > latest,
        "ModuleVersion {version_text} must be above Microsoft's latest MSCommerce {:?}, or #Requires and \
         -MinimumVersion of scripts written for Microsoft's module refuse it",
        MICROSOFT_LATEST_VERSION
    );
    let changelog_path = powershell_dir().join("CHANGELOG.md");
    let changelog = fs::read_to_string(&changelog_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", changelog_path.display()));
    assert!(
        changelog
            .lines()
            .any(|line| line.starts_with("## ") && line.contains(&version_text)),
        "powershell/CHANGELOG.md has no '## {version_text}' section for the manifest's ModuleVersion"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The Pester suite
// ---------------------------------------------------------------------------------------------------------------

/// The `.psm1` helpers of the Pester suite.
fn test_helper_modules() -> Vec<Source> {
    powershell_files(&powershell_dir().join("tests"))
        .iter()
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("psm1"))
        .map(|p| Source::load(p))
        .collect()
}

#[test]
fn test_helpers_import_the_module_globally() {
    let helpers = test_helper_modules();
    assert!(
        !helpers.is_empty(),
        "expected a helper module under powershell/tests"
    );
    let mut problems = Vec::new();
    let mut imports = 0;
    for source in &helpers {
        for command in descendants(source.tree.root_node())
            .into_iter()
            .filter(|n| n.kind() == "command")
        {
            let Some(name) = command.child_by_field_name("command_name") else {
                continue;
            };
            if !source
                .text_of(name)
                .trim()
                .eq_ignore_ascii_case("Import-Module")
            {
                continue;
            }
            imports += 1;
            // From inside a module, Import-Module imports into that module's own session state unless -Global
            // (PowerShell's ModuleCmdletBase.cs, TargetSessionState); -Scope Global does the same.
            let (named, _) = command_arguments(source, command);
            let global = named.iter().any(|(parameter, value)| {
                parameter == "global"
                    || parameter == "global:$true"
                    || (parameter == "scope"
                        && value.is_some_and(|v| {
                            unquote(source.text_of(v).trim()).eq_ignore_ascii_case("global")
                        }))
            });
            if !global {
                problems.push(format!(
                    "{}: `{}` imports into the helper module's own session state; add -Global so that the \
                     tests see the module's commands",
                    source.location(command),
                    source.text_of(command).trim()
                ));
            }
        }
    }
    assert!(
        imports > 0,
        "no helper module imports MSCommerce; the check would be empty"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What `(Get-Command X).DefaultParameterSet` reports for a function: the CmdletBinding's
/// DefaultParameterSetName, or $null when it names none (PowerShell's FunctionInfo.cs, DefaultParameterSet;
/// CommandMetadata.cs, ProcessCmdletAttribute copies the attribute's value, which is null when not given).
fn reported_default_set(metadata: &FunctionMetadata) -> Option<String> {
    metadata.binding.default_set.clone()
}

/// Microsoft's module reads the token back from the caller's `$token`; the public commands do the same through
/// this helper when neither -Token nor a connection gives one.
const CALLER_TOKEN_HELPER: &str = "Get-MSCommerceCallerToken";

#[test]
fn commands_with_token_fall_back_to_the_callers_token_variable() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for source in public_sources() {
        for (name, function) in top_level_functions(&source) {
            let metadata = function_metadata(&source, function);
            if !metadata.parameters.iter().any(|p| p.name == "Token") {
                continue;
            }
            checked += 1;
            let calls: Vec<Node> = descendants(function)
                .into_iter()
                .filter(|n| n.kind() == "command")
                .filter(|n| {
                    n.child_by_field_name("command_name").is_some_and(|c| {
                        source
                            .text_of(c)
                            .trim()
                            .eq_ignore_ascii_case(CALLER_TOKEN_HELPER)
                    })
                })
                .collect();
            let passes_session_state = calls.iter().any(|call| {
                let (named, _) = command_arguments(&source, *call);
                named.iter().any(|(parameter, value)| {
                    parameter == "sessionstate"
                        && value.is_some_and(|v| {
                            source
                                .text_of(v)
                                .trim()
                                .eq_ignore_ascii_case("$PSCmdlet.SessionState")
                        })
                })
            });
            if !passes_session_state {
                problems.push(format!(
                    "{}: {name} takes -Token but never calls `{CALLER_TOKEN_HELPER} -Token $Token -SessionState \
                     $PSCmdlet.SessionState`, so scripts that set $token for Microsoft's module fail",
                    source.location(function)
                ));
            }
        }
    }
    assert!(
        checked >= 10,
        "expected the commands with -Token, found {checked}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The named arguments of a command, with those of the hashtable literals it splats.
fn arguments_with_splats(source: &Source, command: Node) -> BTreeMap<String, String> {
    let (named, splats) = command_arguments(source, command);
    let mut arguments: BTreeMap<String, String> = named
        .into_iter()
        .map(|(parameter, value)| {
            (
                parameter,
                value
                    .map(|v| source.text_of(v).trim().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    for splat in splats {
        if let Some(hash) = splatted_hash(source, &splat, command.start_byte()) {
            for (key, value) in hash_entries(source, hash) {
                arguments
                    .entry(key)
                    .or_insert_with(|| value.trim_end_matches(';').trim().to_string());
            }
        }
    }
    arguments
}

#[test]
fn the_test_runner_pins_pester_5_and_the_analyzer_never_skips() {
    let runner = Source::load(
        &powershell_dir()
            .join("tests")
            .join("Invoke-MSCommerceTests.ps1"),
    );
    let mut problems = Vec::new();
    let mut pester_commands = 0;
    for command in descendants(runner.tree.root_node())
        .into_iter()
        .filter(|n| n.kind() == "command")
    {
        let Some(name) = command.child_by_field_name("command_name") else {
            continue;
        };
        let name = runner.text_of(name).trim().to_ascii_lowercase();
        if name != "install-module" && name != "import-module" {
            continue;
        }
        let arguments = arguments_with_splats(&runner, command);
        if !arguments
            .get("name")
            .is_some_and(|n| unquote(n).eq_ignore_ascii_case("Pester"))
        {
            continue;
        }
        pester_commands += 1;
        // Pester 6 needs PowerShell 7.4 (or 5.1); the module supports 7.0, so the newest Pester must not be taken.
        if !arguments.contains_key("maximumversion") && !arguments.contains_key("requiredversion") {
            problems.push(format!(
                "{}: `{}` takes whatever Pester is newest; pass -MaximumVersion 5.99.99",
                runner.location(command),
                runner.text_of(command).lines().next().unwrap_or("").trim()
            ));
        }
    }
    if pester_commands < 2 {
        problems.push(format!(
            "expected Install-Module and Import-Module of Pester in Invoke-MSCommerceTests.ps1, found {pester_commands}"
        ));
    }

    // A test that skips itself when a tool is missing passes a run that checked nothing.
    for path in powershell_files(&powershell_dir().join("tests")) {
        let source = Source::load(&path);
        for command in descendants(source.tree.root_node())
            .into_iter()
            .filter(|n| n.kind() == "command")
        {
            let text = source.text_of(command);
            let first_line = text.lines().next().unwrap_or("");
            if first_line.trim_start().starts_with("It ")
                && first_line.contains("-Skip:")
                && first_line.to_ascii_lowercase().contains("get-module")
            {
                problems.push(format!(
                    "{}: a test skips itself when a module is missing; fail instead",
                    source.location(command)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------------
// The contract file shared with the Pester suite
// ---------------------------------------------------------------------------------------------------------------

/// The .NET type PowerShell reports (`ParameterType.FullName`) for a parameter's type constraint.
fn dotnet_type(constraint: Option<&str>) -> Result<String, String> {
    let Some(constraint) = constraint else {
        return Ok("System.Object".to_string());
    };
    let (element, array) = match constraint.strip_suffix("[]") {
        Some(element) => (element, "[]"),
        None => (constraint, ""),
    };
    let lower = element.to_ascii_lowercase();
    let full = match lower.trim_start_matches("system.") {
        "string" => "System.String",
        "int" | "int32" => "System.Int32",
        "bool" | "boolean" => "System.Boolean",
        "switch" | "management.automation.switchparameter" => {
            "System.Management.Automation.SwitchParameter"
        }
        "uri" => "System.Uri",
        "pscredential" | "management.automation.pscredential" => {
            "System.Management.Automation.PSCredential"
        }
        "security.securestring" | "securestring" => "System.Security.SecureString",
        "collections.idictionary" => "System.Collections.IDictionary",
        "datetime" => "System.DateTime",
        "security.cryptography.x509certificates.x509certificate2" => {
            "System.Security.Cryptography.X509Certificates.X509Certificate2"
        }
        "object" => "System.Object",
        _ => {
            return Err(format!(
                "[{constraint}] has no entry in dotnet_type; add the .NET name PowerShell reports for it"
            ))
        }
    };
    Ok(format!("{full}{array}"))
}

/// The contract of one public function as both test suites read it: what `Get-Command` reports.
fn reported_contract(
    source: &Source,
    name: &str,
    function: Node,
) -> Result<serde_json::Value, String> {
    let metadata = function_metadata(source, function);
    let sets = effective_sets(&metadata);
    let mut parameters = Vec::new();
    for parameter in &metadata.parameters {
        let membership: Vec<serde_json::Value> = sets
            .iter()
            .filter_map(|(set, members)| {
                members.get(&parameter.name).map(|m| {
                    let by_property_name = parameter.attributes.iter().any(|a| {
                        a.by_property_name
                            && a.set.as_deref().is_none_or(|s| s == set || s == ALL_SETS)
                    });
                    serde_json::json!({
                        "set": set,
                        "mandatory": m.mandatory,
                        "position": m.position,
                        "byPropertyName": by_property_name,
                    })
                })
            })
            .collect();
        parameters.push(serde_json::json!({
            "name": parameter.name,
            "type": dotnet_type(parameter.type_name.as_deref())
                .map_err(|e| format!("{}: {e}", parameter.line))?,
            "aliases": parameter.aliases,
            "validateSet": parameter.validate_set,
            "sets": membership,
        }));
    }
    Ok(serde_json::json!({
        "name": name,
        "defaultParameterSet": reported_default_set(&metadata),
        "supportsShouldProcess": metadata.binding.supports_should_process,
        "confirmImpact": metadata.binding.confirm_impact,
        "parameters": parameters,
    }))
}

fn contract_file() -> serde_json::Value {
    let path = powershell_dir().join("tests").join("Contract.json");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A contract entry without what only the file says (Microsoft's positions and how conflicts are resolved), to
/// compare with what the source declares.
fn declared_part(entry: &serde_json::Value) -> serde_json::Value {
    let mut entry = entry.clone();
    if let Some(object) = entry.as_object_mut() {
        object.remove("positionsResolvedAtRuntime");
        if let Some(parameters) = object.get_mut("parameters").and_then(|p| p.as_array_mut()) {
            for parameter in parameters {
                if let Some(parameter) = parameter.as_object_mut() {
                    parameter.remove("microsoft");
                }
            }
        }
    }
    entry
}

#[test]
fn the_module_matches_the_contract_file_the_pester_suite_reads() {
    let contract = contract_file();
    let entries: BTreeMap<String, &serde_json::Value> = contract["cmdlets"]
        .as_array()
        .expect("Contract.json has a cmdlets array")
        .iter()
        .map(|entry| {
            (
                entry["name"].as_str().unwrap_or_default().to_string(),
                entry,
            )
        })
        .collect();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for source in public_sources() {
        for (name, function) in top_level_functions(&source) {
            seen.insert(name.clone());
            let reported = match reported_contract(&source, &name, function) {
                Ok(reported) => reported,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            match entries.get(&name) {
                None => problems.push(format!(
                    "{name} ({}) is not in powershell/tests/Contract.json; add its entry:\n{}",
                    source.location(function),
                    serde_json::to_string_pretty(&reported).unwrap_or_default()
                )),
                Some(entry) if declared_part(entry) != reported => problems.push(format!(
                    "{name} ({}) differs from powershell/tests/Contract.json; the source declares:\n{}",
                    source.location(function),
                    serde_json::to_string_pretty(&reported).unwrap_or_default()
                )),
                Some(_) => {}
            }
        }
    }
    for name in entries.keys().filter(|name| !seen.contains(*name)) {
        problems.push(format!(
            "powershell/tests/Contract.json describes {name}, which is not a public function"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn microsofts_positions_in_the_contract_file_still_bind() {
    let contract = contract_file();
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in contract["cmdlets"].as_array().expect("a cmdlets array") {
        let cmdlet = entry["name"].as_str().unwrap_or_default();
        let resolved: Vec<&str> = entry["positionsResolvedAtRuntime"]
            .as_array()
            .map(|names| names.iter().filter_map(|n| n.as_str()).collect())
            .unwrap_or_default();
        for parameter in entry["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap_or_default();
            let Some(microsoft) = parameter["microsoft"].as_object() else {
                continue;
            };
            if let Some(old_name) = microsoft.get("1.xName").and_then(|n| n.as_str()) {
                let aliases: Vec<&str> = parameter["aliases"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|n| n.as_str()).collect())
                    .unwrap_or_default();
                if !aliases.iter().any(|a| a.eq_ignore_ascii_case(old_name)) {
                    problems.push(format!(
                        "{cmdlet}: 1.x's -{old_name} must be an alias of -{name}"
                    ));
                }
            }
            let ours: Vec<Option<i64>> = parameter["sets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|membership| membership["position"].as_i64())
                .collect();
            for version in ["1.x", "2.x"] {
                let Some(position) = microsoft.get(version).and_then(|p| p.as_i64()) else {
                    continue;
                };
                checked += 1;
                if !ours.contains(&Some(position)) && !resolved.contains(&name) {
                    problems.push(format!(
                        "{cmdlet}: -{name} had position {position} in Microsoft's {version}; this module gives it \
                         {ours:?}, so that call no longer binds"
                    ));
                }
            }
        }
    }
    assert!(
        checked >= 15,
        "expected Microsoft's positions in Contract.json, found {checked}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `-TenantId` takes what Entra takes in the tenant segment: a tenant ID, one of the tenant's domain names,
/// `organizations` or `common`. The module passes it as it is: no parameter named TenantId may be constrained
/// (a ValidatePattern for a GUID would refuse contoso.onmicrosoft.com), and the help of Connect-MSCommerce and
/// docs/POWERSHELL.md show the domain-name form.
#[test]
fn tenant_id_takes_a_domain_name_as_it_is() {
    let mut problems = Vec::new();
    for path in powershell_files(&module_dir()) {
        let source = Source::load(&path);
        for (name, function) in top_level_functions(&source) {
            let metadata = function_metadata(&source, function);
            let Some(tenant) = metadata
                .parameters
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case("TenantId"))
            else {
                continue;
            };
            if tenant.validate_set.is_some() {
                problems.push(format!(
                    "{}: -TenantId of {name} has a ValidateSet; it must take any tenant ID or domain name",
                    tenant.line
                ));
            }
            if let Some(line) = source.text.lines().find(|line| {
                let lower = line.to_ascii_lowercase();
                lower.contains("validatepattern") && lower.contains("[0-9a-f]{8}")
            }) {
                problems.push(format!(
                    "{}: {name} checks for a GUID (`{}`); -TenantId takes domain names too",
                    source.name,
                    line.trim()
                ));
            }
        }
    }
    let domain_call = |text: &str| {
        text.lines().any(|line| {
            line.contains("Connect-MSCommerce")
                && line.contains("-TenantId 'contoso.onmicrosoft.com'")
        })
    };
    let connect = fs::read_to_string(module_dir().join("Public").join("Connect-MSCommerce.ps1"))
        .expect("Connect-MSCommerce.ps1");
    if !domain_call(&connect) {
        problems.push(
            "the help of Connect-MSCommerce shows no example with -TenantId 'contoso.onmicrosoft.com'".to_string(),
        );
    }
    let docs = fs::read_to_string(repo_root().join("docs").join("POWERSHELL.md"))
        .expect("docs/POWERSHELL.md");
    if !domain_call(&docs) {
        problems.push(
            "docs/POWERSHELL.md shows no Connect-MSCommerce call with -TenantId 'contoso.onmicrosoft.com'".to_string(),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------------
// Every REST capability has a command
// ---------------------------------------------------------------------------------------------------------------

/// Routes no command calls, each with the reason; the mapping table of docs/POWERSHELL.md says the same.
const ROUTES_WITHOUT_A_COMMAND: &[(&str, &str, &str)] = &[
    (
        "get",
        "/.well-known/openid-configuration",
        "discovery, read by OAuth libraries",
    ),
    (
        "get",
        "/discovery/v2.0/keys",
        "the token signing keys, read by token verifiers",
    ),
    (
        "get",
        "/{tenantId}/v2.0/.well-known/openid-configuration",
        "discovery per tenant, read by OAuth libraries",
    ),
    (
        "get",
        "/{tenantId}/discovery/v2.0/keys",
        "the token signing keys per tenant",
    ),
    // The browser's pages: Connect-MSCommerce opens the first one in the browser, the browser does the rest.
    (
        "get",
        "/{tenantId}/oauth2/v2.0/authorize",
        "the sign-in page, opened in the browser",
    ),
    (
        "post",
        "/{tenantId}/oauth2/v2.0/authorize",
        "the sign-in page's form",
    ),
    (
        "get",
        "/oauth2/v2.0/authorize",
        "the sign-in page without a tenant",
    ),
    (
        "post",
        "/oauth2/v2.0/authorize",
        "its form without a tenant",
    ),
    (
        "get",
        "/{tenantId}/oauth2/v2.0/logout",
        "end of a browser session",
    ),
    ("get", "/oauth2/v2.0/logout", "end of a browser session"),
    ("get", "/devicelogin", "the device code verification page"),
    ("post", "/devicelogin", "its form"),
    // A sign-in with a trusted provider: a button of the sign-in page, and the provider's answer.
    (
        "get",
        "/federation/signin",
        "a \"Sign in with ...\" button of the sign-in page",
    ),
    ("get", "/federation/callback", "the provider's answer"),
    // The module always names a tenant (`common` by default), so it never calls the unscoped twins.
    (
        "post",
        "/oauth2/v2.0/devicecode",
        "the module always names a tenant",
    ),
    (
        "post",
        "/oauth2/v2.0/revoke",
        "the module always names a tenant",
    ),
    (
        "get",
        "/v1.0/applications/{appId}/credentials",
        "apps' certificate credentials, managed by automation or `mscommerce app credential`",
    ),
    (
        "post",
        "/v1.0/applications/{appId}/credentials",
        "apps' certificate credentials, managed by automation or `mscommerce app credential`",
    ),
    (
        "delete",
        "/v1.0/applications/{appId}/credentials/{keyId}",
        "apps' certificate credentials, managed by automation or `mscommerce app credential`",
    ),
    // Relationships are asked, approved and ended once in a long while, by a Global Administrator of each side:
    // through REST or `mscommerce partner`; the module reads the customers (Get-MSCommercePartnerCustomer).
    (
        "get",
        "/v1.0/partner/relationships",
        "delegated admin relationships, managed through REST or `mscommerce partner`",
    ),
    (
        "post",
        "/v1.0/partner/relationships",
        "delegated admin relationships, managed through REST or `mscommerce partner`",
    ),
    (
        "get",
        "/v1.0/partner/relationships/{relationshipId}",
        "delegated admin relationships, managed through REST or `mscommerce partner`",
    ),
    (
        "post",
        "/v1.0/partner/relationships/{relationshipId}/approve",
        "delegated admin relationships, managed through REST or `mscommerce partner`",
    ),
    (
        "post",
        "/v1.0/partner/relationships/{relationshipId}/end",
        "delegated admin relationships, managed through REST or `mscommerce partner`",
    ),
    ("get", "/healthz", "for load balancers"),
    ("get", "/readyz", "for load balancers"),
    ("get", "/metrics", "for Prometheus"),
    ("get", "/openapi.json", "this document"),
];

/// The routes of docs/openapi.json as (method, path): the `/v1` twins of the compatible paths are the same
/// operations and left out.
fn openapi_routes() -> Vec<(String, String)> {
    let document: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo_root().join("docs").join("openapi.json"))
            .expect("docs/openapi.json"),
    )
    .expect("docs/openapi.json is JSON");
    let mut routes = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        if path.starts_with("/v1/") {
            continue;
        }
        for method in ["get", "put", "post", "patch", "delete"] {
            if item.get(method).is_some() {
                routes.push((method.to_string(), path.clone()));
            }
        }
    }
    routes.sort();
    routes
}

/// The rows of the route table in docs/POWERSHELL.md: `| \`METHOD /path\` | \`Command\`, ... |`, as (method,
/// path) -> the commands named in the second column.
fn documented_route_table() -> BTreeMap<(String, String), Vec<String>> {
    let text = fs::read_to_string(repo_root().join("docs").join("POWERSHELL.md"))
        .expect("docs/POWERSHELL.md");
    let mut table = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        let route = cells[1].trim_matches('`');
        let Some((method, path)) = route.split_once(' ') else {
            continue;
        };
        if !["GET", "PUT", "POST", "PATCH", "DELETE"].contains(&method) || !path.starts_with('/') {
            continue;
        }
        let commands = cells[2]
            .split('`')
            .filter(|part| part.contains("-MSCommerce"))
            .map(|part| part.split_whitespace().next().unwrap_or(part).to_string())
            .collect();
        table.insert((method.to_ascii_lowercase(), path.to_string()), commands);
    }
    table
}

/// Public functions and the requests each sends: its own calls of the REST entry point, and those of the private
/// helpers it calls (one level, as the module is written).
fn requests_by_command() -> BTreeMap<String, Vec<(String, String)>> {
    let (requests, _) = module_requests();
    let file_of = |location: &str| {
        location
            .rsplit_once(':')
            .map(|(f, _)| f.to_string())
            .unwrap_or_default()
    };
    let mut by_file: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for request in &requests {
        by_file
            .entry(file_of(&request.location))
            .or_default()
            .push((request.method.clone(), request.path.clone()));
    }
    let private: Vec<(String, String)> = powershell_files(&module_dir().join("Private"))
        .iter()
        .map(|path| {
            let source = Source::load(path);
            (file_stem(&source), source.name.clone())
        })
        .collect();
    let mut commands = BTreeMap::new();
    for source in public_sources() {
        for (name, _) in top_level_functions(&source) {
            let mut sent = by_file.get(&source.name).cloned().unwrap_or_default();
            for (helper, file) in &private {
                let calls_helper = source.text.lines().any(|line| {
                    line.split(|c: char| c.is_whitespace() || c == '(')
                        .any(|word| word == helper)
                });
                if calls_helper {
                    sent.extend(by_file.get(file).cloned().unwrap_or_default());
                }
            }
            commands.insert(name, sent);
        }
    }
    commands
}

#[test]
fn every_rest_route_maps_to_a_command_in_the_documented_table() {
    let table = documented_route_table();
    let commands = requests_by_command();
    let mut problems = Vec::new();
    for (method, path) in openapi_routes() {
        let exempt = ROUTES_WITHOUT_A_COMMAND
            .iter()
            .any(|(m, p, _)| *m == method && *p == path);
        let Some(named) = table.get(&(method.clone(), path.clone())) else {
            problems.push(format!(
                "{} {path} has no row in the route table of docs/POWERSHELL.md",
                method.to_ascii_uppercase()
            ));
            continue;
        };
        if exempt {
            if !named.is_empty() {
                problems.push(format!(
                    "{} {path} is listed as without a command, but the table names {named:?}",
                    method.to_ascii_uppercase()
                ));
            }
            continue;
        }
        if named.is_empty() {
            problems.push(format!(
                "{} {path}: no command in docs/POWERSHELL.md, and it is not one of ROUTES_WITHOUT_A_COMMAND",
                method.to_ascii_uppercase()
            ));
        }
        for command in named {
            match commands.get(command) {
                None => problems.push(format!(
                    "docs/POWERSHELL.md maps {} {path} to {command}, which is not a public function",
                    method.to_ascii_uppercase()
                )),
                Some(sent) if !sent.iter().any(|(m, p)| *m == method && path_matches(p, &path)) => {
                    problems.push(format!(
                        "docs/POWERSHELL.md maps {} {path} to {command}, which never sends it (it sends {sent:?})",
                        method.to_ascii_uppercase()
                    ))
                }
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Requests with a method that can change something but that change none of the tenant's data: sign-in (token,
/// device code), sign-out (the revocation of the module's own refresh token) and the CSV export.
const READING_POSTS: &[&str] = &[
    "/oauth2/v2.0/token",
    "/{tenantId}/oauth2/v2.0/token",
    "/{tenantId}/oauth2/v2.0/devicecode",
    "/{tenantId}/oauth2/v2.0/revoke",
    "/v1.0/subscriptions/exportUsers",
];

#[test]
fn every_command_that_changes_something_supports_should_process() {
    let commands = requests_by_command();
    let mut problems = Vec::new();
    for source in public_sources() {
        for (name, function) in top_level_functions(&source) {
            let changes: Vec<&(String, String)> = commands
                .get(&name)
                .into_iter()
                .flatten()
                .filter(|(method, path)| method != "get" && !READING_POSTS.contains(&path.as_str()))
                .collect();
            if changes.is_empty() {
                continue;
            }
            let binding = function_metadata(&source, function).binding;
            if !binding.supports_should_process {
                problems.push(format!(
                    "{}: {name} sends {changes:?} and must have [CmdletBinding(SupportsShouldProcess)]",
                    source.location(function)
                ));
            }
            let asks = source.text.contains("$PSCmdlet.ShouldProcess(");
            if !asks {
                problems.push(format!(
                    "{}: {name} sends {changes:?} and never calls $PSCmdlet.ShouldProcess",
                    source.location(function)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_exported_function_has_help_for_itself_and_each_parameter() {
    let mut problems = Vec::new();
    for source in public_sources() {
        for (name, function) in top_level_functions(&source) {
            let help = descendants(function)
                .into_iter()
                .find(|node| node.kind() == "comment" && source.text_of(*node).starts_with("<#"))
                .map(|node| source.text_of(node).to_string());
            let Some(help) = help else {
                problems.push(format!(
                    "{}: {name} has no comment-based help",
                    source.location(function)
                ));
                continue;
            };
            for keyword in [".SYNOPSIS", ".DESCRIPTION", ".EXAMPLE", ".OUTPUTS"] {
                if !help.contains(keyword) {
                    problems.push(format!(
                        "{}: the help of {name} has no {keyword}",
                        source.location(function)
                    ));
                }
            }
            // As the Pester QA test asks of Get-Help: two examples at least, one of them a pipeline. An example's
            // code is the first non-empty line after `.EXAMPLE`.
            let examples: Vec<&str> = help
                .split(".EXAMPLE")
                .skip(1)
                .filter_map(|part| part.lines().map(str::trim).find(|line| !line.is_empty()))
                .collect();
            if examples.len() < 2 || !examples.iter().any(|code| code.contains('|')) {
                problems.push(format!(
                    "{}: the help of {name} needs two examples or more, one of them piped; it has {examples:?}",
                    source.location(function)
                ));
            }
            for parameter in function_metadata(&source, function).parameters {
                let documented = help.lines().any(|line| {
                    let mut words = line.split_whitespace();
                    words.next() == Some(".PARAMETER")
                        && words
                            .next()
                            .is_some_and(|n| n.eq_ignore_ascii_case(&parameter.name))
                });
                if !documented {
                    problems.push(format!(
                        "{}: the help of {name} has no .PARAMETER {}",
                        source.location(function),
                        parameter.name
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_public_function_has_a_unit_test_file_and_every_output_type_a_view() {
    let format =
        fs::read_to_string(module_dir().join("MSCommerce.Format.ps1xml")).expect("the format file");
    let unit_dir = powershell_dir().join("tests").join("Unit");
    let mut problems = Vec::new();
    for source in public_sources() {
        for (name, function) in top_level_functions(&source) {
            if !unit_dir.join(format!("{name}.Tests.ps1")).exists() {
                problems.push(format!(
                    "{name} has no powershell/tests/Unit/{name}.Tests.ps1"
                ));
            }
            for attribute in descendants(function)
                .into_iter()
                .filter(|n| n.kind() == "attribute")
            {
                if !attribute_name(&source, attribute)
                    .is_some_and(|n| n.eq_ignore_ascii_case("OutputType"))
                {
                    continue;
                }
                for (_, value) in attribute_arguments(&source, attribute) {
                    let Some(type_name) = value.map(|v| unquote(&v)) else {
                        continue;
                    };
                    let view = format!("<TypeName>{type_name}</TypeName>");
                    if type_name.starts_with("MSCommerce.") && !format.contains(&view) {
                        problems.push(format!(
                            "{}: {name} writes {type_name}, which has no view in MSCommerce.Format.ps1xml",
                            source.location(function)
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------------
// Parameter sets resolve, and the ways of signing in
// ---------------------------------------------------------------------------------------------------------------

/// The set PowerShell's binder picks for a call that names exactly `bound` (PowerShell's
/// src/System.Management.Automation/engine/CmdletParameterBinderController.cs): the sets that contain every bound
/// parameter stay candidates; of those, the ones whose mandatory parameters are all bound can run; one such set is
/// taken, and among several the default set wins if it is one of them; otherwise the call is ambiguous
/// (AmbiguousParameterSet) or cannot run without prompting. `None` for those two.
fn resolved_set(
    sets: &BTreeMap<String, BTreeMap<String, Membership>>,
    default_set: Option<&str>,
    bound: &BTreeSet<String>,
) -> Option<String> {
    let complete: Vec<&String> = sets
        .iter()
        .filter(|(_, members)| bound.iter().all(|name| members.contains_key(name)))
        .filter(|(_, members)| {
            members
                .iter()
                .filter(|(_, m)| m.mandatory)
                .all(|(name, _)| bound.contains(name))
        })
        .map(|(set, _)| set)
        .collect();
    match complete.as_slice() {
        [only] => Some((*only).clone()),
        several => default_set
            .filter(|d| several.iter().any(|s| s.as_str() == *d))
            .map(str::to_string),
    }
}

/// Every parameter set of every public command can be reached: naming the mandatory parameters of a set (and
/// nothing else) binds to that set, never to another one and never ambiguously. A set without mandatory
/// parameters is reached by naming its own parameters only when it is the default set.
#[test]
fn every_parameter_set_is_reached_by_naming_its_mandatory_parameters() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for source in public_sources() {
        for (name, function) in top_level_functions(&source) {
            let metadata = function_metadata(&source, function);
            let sets = effective_sets(&metadata);
            if sets.len() < 2 {
                continue;
            }
            let default_set = metadata.binding.default_set.as_deref();
            for (set, members) in &sets {
                let bound: BTreeSet<String> = members
                    .iter()
                    .filter(|(_, m)| m.mandatory)
                    .map(|(name, _)| name.clone())
                    .collect();
                if bound.is_empty() && Some(set.as_str()) != default_set {
                    problems.push(format!(
                        "{name} ({}): parameter set '{set}' has no mandatory parameter and is not the default set, \
                         so no call can choose it",
                        source.location(function)
                    ));
                    continue;
                }
                checked += 1;
                let resolved = resolved_set(&sets, default_set, &bound);
                if resolved.as_deref() != Some(set.as_str()) {
                    problems.push(format!(
                        "{name} ({}): naming {bound:?} should bind parameter set '{set}', PowerShell's rules give {}",
                        source.location(function),
                        resolved
                            .map(|r| format!("'{r}'"))
                            .unwrap_or_else(|| "an ambiguous or incomplete call".to_string())
                    ));
                }
            }
        }
    }
    assert!(
        checked >= 10,
        "expected parameter sets to check, found {checked}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Connect-MSCommerce's ways of signing in, as docs/POWERSHELL.md describes them: (set, its mandatory
/// parameters). The default set is the browser sign-in, which needs none.
const SIGN_IN_SETS: &[(&str, &[&str])] = &[
    ("Interactive", &[]),
    ("Credential", &["Credential"]),
    ("DeviceCode", &["UseDeviceCode"]),
    ("ClientSecret", &["ClientId", "ClientSecret", "TenantId"]),
    ("Certificate", &["Certificate", "ClientId", "TenantId"]),
    (
        "CertificateThumbprint",
        &["CertificateThumbprint", "ClientId", "TenantId"],
    ),
    ("AccessToken", &["AccessToken"]),
];

fn module_text(relative: &str) -> String {
    let path = module_dir().join(relative);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn connect_offers_every_sign_in_with_its_own_parameter_set() {
    let sources = public_sources();
    let source = sources
        .iter()
        .find(|s| file_stem(s) == "Connect-MSCommerce")
        .expect("Public/Connect-MSCommerce.ps1");
    let (_, function) = top_level_functions(source)
        .into_iter()
        .find(|(name, _)| name == "Connect-MSCommerce")
        .expect("function Connect-MSCommerce");
    let metadata = function_metadata(source, function);
    let sets = effective_sets(&metadata);
    let mut problems = Vec::new();

    if metadata.binding.default_set.as_deref() != Some("Interactive") {
        problems.push(format!(
            "the default set must be 'Interactive' (the browser sign-in), found {:?}",
            metadata.binding.default_set
        ));
    }
    let wanted: BTreeSet<&str> = SIGN_IN_SETS.iter().map(|(set, _)| *set).collect();
    let found: BTreeSet<&str> = sets.keys().map(String::as_str).collect();
    if wanted != found {
        problems.push(format!(
            "parameter sets: expected {wanted:?}, found {found:?}"
        ));
    }
    for (set, mandatory) in SIGN_IN_SETS {
        let Some(members) = sets.get(*set) else {
            continue;
        };
        let declared: BTreeSet<&str> = members
            .iter()
            .filter(|(_, m)| m.mandatory)
            .map(|(name, _)| name.as_str())
            .collect();
        let expected: BTreeSet<&str> = mandatory.iter().copied().collect();
        if declared != expected {
            problems.push(format!(
                "parameter set '{set}': mandatory parameters {declared:?}, expected {expected:?}"
            ));
        }
    }
    let type_of = |name: &str| {
        metadata
            .parameters
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.type_name.clone())
            .map(|t| t.to_ascii_lowercase())
    };
    for (name, types) in [
        ("UseDeviceCode", &["switch", "switchparameter"][..]),
        (
            "Certificate",
            &["system.security.cryptography.x509certificates.x509certificate2"][..],
        ),
        ("CertificateThumbprint", &["string"][..]),
        ("TenantId", &["string"][..]),
        ("RedirectUri", &["uri", "system.uri"][..]),
    ] {
        match type_of(name) {
            Some(t) if types.contains(&t.as_str()) => {}
            other => problems.push(format!(
                "-{name} must be of type {types:?}, found {other:?}"
            )),
        }
    }

    // What the sign-ins rely on, in the helpers that carry them out.
    let browser = module_text("Private/Invoke-MSCommerceBrowserSignIn.ps1");
    for needle in [
        "Test-MSCommerceNonInteractive",
        "Test-MSCommerceBrowserAvailable",
        "-UseDeviceCode",
        "-Credential",
        "-Certificate",
        "code_challenge_method",
        "Receive-MSCommerceAuthorizationResponse",
    ] {
        if !browser.contains(needle) {
            problems.push(format!(
                "Private/Invoke-MSCommerceBrowserSignIn.ps1 does not mention {needle}"
            ));
        }
    }
    let pkce = module_text("Private/Get-MSCommercePkce.ps1");
    if !pkce.contains("'S256'") || pkce.to_ascii_lowercase().contains("'plain'") {
        problems.push("Get-MSCommercePkce must offer S256 and never 'plain'".to_string());
    }
    let opener = module_text("Private/Open-MSCommerceBrowser.ps1");
    for needle in ["Start-Process", "'open'", "'xdg-open'"] {
        if !opener.contains(needle) {
            problems.push(format!(
                "Private/Open-MSCommerceBrowser.ps1 does not use {needle}"
            ));
        }
    }
    let device = module_text("Private/Invoke-MSCommerceDeviceCodeSignIn.ps1");
    for needle in [
        "Write-Warning",
        "'authorization_pending'",
        "'slow_down'",
        "'expired_token'",
        "'access_denied'",
    ] {
        if !device.contains(needle) {
            problems.push(format!(
                "Private/Invoke-MSCommerceDeviceCodeSignIn.ps1 does not handle {needle}"
            ));
        }
    }
    let response = module_text("Private/Resolve-MSCommerceAuthorizationResponse.ps1");
    if !response.contains("AuthorizationStateMismatch") {
        problems.push("the browser's answer must be refused when its state differs".to_string());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The refresh token lives in the module's session only: no line of the module that writes to a stream, the
/// host, a file or a variable of the caller mentions it.
#[test]
fn the_refresh_token_is_never_written_out() {
    const WRITERS: &[&str] = &[
        "write-host",
        "write-output",
        "write-verbose",
        "write-debug",
        "write-information",
        "write-warning",
        "write-error",
        "write-msCommercestatus",
        "out-file",
        "set-content",
        "add-content",
        "export-",
        "psvariable.set",
        "[io.file]",
        "[system.io.file]",
    ];
    let mut problems = Vec::new();
    let mut mentions = 0;
    for path in powershell_files(&module_dir()) {
        let source = Source::load(&path);
        for (number, line) in source.text.lines().enumerate() {
            let lower = line.to_ascii_lowercase();
            if !lower.contains("refreshtoken") && !lower.contains("refresh_token") {
                continue;
            }
            mentions += 1;
            if lower.trim_start().starts_with('#') {
                continue;
            }
            if let Some(writer) = WRITERS
                .iter()
                .find(|w| lower.contains(&w.to_ascii_lowercase()))
            {
                problems.push(format!(
                    "{}:{}: `{}` writes the refresh token out ({writer})",
                    source.name,
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        mentions > 0,
        "the module never mentions a refresh token; the check would be empty"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
