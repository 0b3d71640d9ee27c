#pragma once
// The syntax tree the parser builds and the interpreter walks. Nodes are uniform structs:
// which fields matter depends on the kind, as documented beside each kind.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/chat/jinja_value.h"

namespace hearth::jinja {

enum class ExprKind {
    literal,      // literal
    name,         // name
    list,         // children: items
    tuple,        // children: items
    dict,         // children: key0, value0, key1, value1, ...
    attribute,    // children[0] . name
    item,         // children[0] [ children[1] ]
    slice,        // children[0] [ children[1] : children[2] : children[3] ] (null = omitted)
    call,         // children[0] ( children[1..], keywords )
    filter,       // children[0] | name ( children[1..], keywords )
    test,         // children[0] is [not] name ( children[1..], keywords ); negated
    negate,       // - children[0]
    plus,         // + children[0]
    logical_not,  // not children[0]
    binary,       // children[0] name children[1]; name is + - * / // % ** ~
    logical_and,  // children[0] and children[1]
    logical_or,   // children[0] or children[1]
    compare,      // children[0] ops[0] children[1] ops[1] children[2] ...
    conditional,  // children[0] if children[1] else children[2] (null: undefined)
    splat,        // *children[0] among call arguments; **children[0] is a keyword named ""
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
    ExprKind kind = ExprKind::literal;
    int line = 0;
    std::string name;
    Value literal;
    std::vector<ExprPtr> children;
    std::vector<std::pair<std::string, ExprPtr>> keywords;
    std::vector<std::string> ops;  // ==, !=, <, <=, >, >=, in, not in
    bool negated = false;
};

enum class StmtKind {
    text,        // text
    output,      // {{ exprs[0] }}
    if_chain,    // if exprs[i]: bodies[i]; else: bodies[exprs.size()] when present
    for_loop,    // for names in exprs[0] [if exprs[1]]: bodies[0]; else: bodies[1]
    set,         // set names = exprs[0] (several names unpack a sequence)
    set_attr,    // set names[0].text = exprs[0]
    set_block,   // set names[0]: bodies[0] rendered
    macro,       // macro text(names[i] = exprs[i] or null): bodies[0]
    call_block,  // call(names = exprs[1..] defaults) exprs[0]: bodies[0] becomes caller()
    scope,       // bodies[0] in a child scope: {% generation %} and {% with names = exprs %}
    break_loop,
    continue_loop,
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

struct Stmt {
    StmtKind kind = StmtKind::text;
    int line = 0;
    std::string text;
    std::vector<std::string> names;
    std::vector<ExprPtr> exprs;
    std::vector<StmtList> bodies;
};

struct Program {
    StmtList body;
};

}  // namespace hearth::jinja
