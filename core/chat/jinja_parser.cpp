#include "core/chat/jinja_parser.h"

#include <algorithm>

#include "core/chat/jinja_parser_impl.h"
#include "core/error.h"

namespace hearth::jinja {

Parser::DepthGuard::DepthGuard(Parser& p) : parser_(p) {
    if (++parser_.depth_ > kMaxParseDepth) {
        --parser_.depth_;
        parser_.fail("template nested more than " + std::to_string(kMaxParseDepth) + " levels deep");
    }
}

Parser::BodyContext::BodyContext(Parser& p, int loop_depth, bool soft)
    : parser_(p), saved_loop_depth_(p.loop_depth_), saved_soft_(p.soft_) {
    parser_.loop_depth_ = loop_depth;
    parser_.soft_ = soft;
}

Parser::BodyContext::~BodyContext() {
    parser_.loop_depth_ = saved_loop_depth_;
    parser_.soft_ = saved_soft_;
}

const Token& Parser::peek(std::size_t ahead) const {
    const std::size_t at = std::min(pos_ + ahead, tokens_.size() - 1);  // the last token is eof
    return tokens_[at];
}

Token Parser::next() {
    Token t = peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
}

bool Parser::at_op(std::string_view op, std::size_t ahead) const {
    const Token& t = peek(ahead);
    return t.kind == TokenKind::op && t.text == op;
}

bool Parser::at_name(std::string_view name, std::size_t ahead) const {
    const Token& t = peek(ahead);
    return t.kind == TokenKind::name && t.text == name;
}

bool Parser::skip_op(std::string_view op) {
    if (!at_op(op)) return false;
    next();
    return true;
}

bool Parser::skip_name(std::string_view name) {
    if (!at_name(name)) return false;
    next();
    return true;
}

void Parser::expect_op(std::string_view op) {
    if (!skip_op(op)) fail("expected '" + std::string(op) + "'");
}

void Parser::expect_name(std::string_view name) {
    if (!skip_name(name)) fail("expected '" + std::string(name) + "'");
}

std::string Parser::expect_identifier() {
    if (!at(TokenKind::name)) fail("expected a name");
    return next().text;
}

void Parser::expect_block_end() {
    if (!at(TokenKind::block_end)) fail("expected end of statement block");
    next();
}

// jinja2 lets a Python-style colon end the tag that opens a body: {% if x: %}.
void Parser::expect_body_start() {
    skip_op(":");
    expect_block_end();
}

void Parser::fail(const std::string& message) const {
    std::string found;
    switch (peek().kind) {
        case TokenKind::eof: found = "end of template"; break;
        case TokenKind::block_end: found = "'%}'"; break;
        case TokenKind::var_end: found = "'}}'"; break;
        case TokenKind::data: found = "text"; break;
        default: found = "'" + peek().text + "'";
    }
    throw Error(ErrorKind::bad_request, "chat template syntax error (line " + std::to_string(peek().line) +
                                            "): " + message + " (found " + found + ")");
}

ExprPtr Parser::make_expr(ExprKind kind, int line) const {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
}

StmtList Parser::parse_document() {
    StmtList body = parse_body({}, nullptr);
    if (!at(TokenKind::eof)) fail("unexpected tag");
    return body;
}

// Parses until a tag whose keyword is one of end_names; consumes `{%` and that keyword and
// reports which one it was, leaving the rest of the tag to the caller.
StmtList Parser::parse_body(std::initializer_list<std::string_view> end_names, std::string* which_end) {
    StmtList body;
    while (true) {
        const Token& t = peek();
        if (t.kind == TokenKind::eof) {
            if (end_names.size() == 0) return body;
            fail("unexpected end of template, expected '" + std::string(*std::prev(end_names.end())) + "'");
        }
        if (t.kind == TokenKind::data) {
            auto s = std::make_unique<Stmt>();
            s->kind = StmtKind::text;
            s->line = t.line;
            s->text = next().text;
            body.push_back(std::move(s));
        } else if (t.kind == TokenKind::var_begin) {
            auto s = std::make_unique<Stmt>();
            s->kind = StmtKind::output;
            s->line = next().line;
            s->exprs.push_back(parse_tuple());
            if (!at(TokenKind::var_end)) fail("expected end of print statement");
            next();
            body.push_back(std::move(s));
        } else if (t.kind == TokenKind::block_begin) {
            const Token& keyword = peek(1);
            if (keyword.kind == TokenKind::name &&
                std::find(end_names.begin(), end_names.end(), keyword.text) != end_names.end()) {
                next();
                *which_end = next().text;
                return body;
            }
            next();
            body.push_back(parse_statement());
        } else {
            fail("unexpected token");
        }
    }
}

StmtPtr Parser::parse_statement() {
    const DepthGuard guard(*this);
    const int line = peek().line;
    if (!at(TokenKind::name)) fail("expected a statement keyword");
    const std::string keyword = next().text;
    if (keyword == "if") return parse_if(line);
    if (keyword == "for") return parse_for(line);
    if (keyword == "set") return parse_set(line);
    if (keyword == "macro") return parse_macro(line);
    if (keyword == "call") return parse_call_block(line);
    if (keyword == "with") return parse_with(line);
    if (keyword == "generation") return parse_generation(line);
    if (keyword == "break") return parse_loop_control(StmtKind::break_loop, line);
    if (keyword == "continue") return parse_loop_control(StmtKind::continue_loop, line);
    --pos_;
    fail("unknown or unsupported tag '" + keyword + "'");
}

StmtPtr Parser::parse_if(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::if_chain;
    s->line = line;
    const BodyContext context(*this, loop_depth_, true);
    std::string which;
    while (true) {
        s->exprs.push_back(parse_tuple(false));
        expect_body_start();
        s->bodies.push_back(parse_body({"elif", "else", "endif"}, &which));
        if (which != "elif") break;
    }
    if (which == "else") {
        expect_body_start();
        s->bodies.push_back(parse_body({"endif"}, &which));
    }
    expect_block_end();
    return s;
}

StmtPtr Parser::parse_for(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::for_loop;
    s->line = line;
    s->names = parse_target_names();
    expect_name("in");
    s->exprs.push_back(parse_tuple(false));
    std::string which;
    {
        const BodyContext context(*this, loop_depth_ + 1, false);  // the loop's own frame
        s->exprs.push_back(skip_name("if") ? parse_expression() : nullptr);
        if (at_name("recursive")) fail("recursive loops are not supported");
        expect_body_start();
        s->bodies.push_back(parse_body({"endfor", "else"}, &which));
    }
    s->bodies.emplace_back();
    if (which == "else") {
        expect_body_start();
        s->bodies.back() = parse_body({"endfor"}, &which);
    }
    expect_block_end();
    return s;
}

StmtPtr Parser::parse_set(int line) {
    auto s = std::make_unique<Stmt>();
    s->line = line;
    if (at(TokenKind::name) && at_op(".", 1)) {
        s->kind = StmtKind::set_attr;
        s->names.push_back(next().text);
        next();
        s->text = expect_identifier();
        expect_op("=");
        s->exprs.push_back(parse_tuple());
        expect_block_end();
        return s;
    }
    s->names = parse_target_names();
    if (skip_op("=")) {
        s->kind = StmtKind::set;
        s->exprs.push_back(parse_tuple());
        expect_block_end();
        return s;
    }
    if (s->names.size() != 1) fail("a set block assigns to one name");
    s->kind = StmtKind::set_block;
    expect_body_start();
    std::string which;
    {
        const BodyContext context(*this, 0, false);
        s->bodies.push_back(parse_body({"endset"}, &which));
    }
    expect_block_end();
    return s;
}

// `name`, `a, b` or `(a, b)`: the targets of for and set.
std::vector<std::string> Parser::parse_target_names() {
    std::vector<std::string> names;
    const bool parenthesized = skip_op("(");
    do {
        if (parenthesized && at_op(")")) break;
        names.push_back(expect_identifier());
    } while (skip_op(","));
    if (parenthesized) expect_op(")");
    return names;
}

// `(a, b=default, ...)`: the parameter list of a macro or of a call block's caller.
void Parser::parse_parameters(Stmt& stmt) {
    expect_op("(");
    while (!at_op(")")) {
        if (!stmt.names.empty()) expect_op(",");
        if (at_op(")")) break;
        stmt.names.push_back(expect_identifier());
        stmt.exprs.push_back(skip_op("=") ? parse_expression() : nullptr);
    }
    expect_op(")");
}

StmtPtr Parser::parse_macro(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::macro;
    s->line = line;
    s->text = expect_identifier();
    parse_parameters(*s);
    expect_body_start();
    std::string which;
    {
        const BodyContext context(*this, 0, false);
        s->bodies.push_back(parse_body({"endmacro"}, &which));
    }
    expect_block_end();
    return s;
}

StmtPtr Parser::parse_call_block(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::call_block;
    s->line = line;
    s->exprs.push_back(nullptr);  // the call, filled below; caller defaults follow it
    if (at_op("(")) parse_parameters(*s);
    ExprPtr call = parse_expression();
    if (call->kind != ExprKind::call) fail("expected a macro call");
    s->exprs.front() = std::move(call);
    expect_body_start();
    std::string which;
    {
        const BodyContext context(*this, 0, false);
        s->bodies.push_back(parse_body({"endcall"}, &which));
    }
    expect_block_end();
    return s;
}

StmtPtr Parser::parse_with(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::scope;
    s->line = line;
    while (!at(TokenKind::block_end)) {
        if (!s->names.empty()) expect_op(",");
        s->names.push_back(expect_identifier());
        expect_op("=");
        s->exprs.push_back(parse_expression());
    }
    expect_body_start();
    std::string which;
    {
        const BodyContext context(*this, loop_depth_, false);
        s->bodies.push_back(parse_body({"endwith"}, &which));
    }
    expect_block_end();
    return s;
}

StmtPtr Parser::parse_generation(int line) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::scope;
    s->line = line;
    expect_body_start();
    std::string which;
    {
        const BodyContext context(*this, 0, false);
        s->bodies.push_back(parse_body({"endgeneration"}, &which));
    }
    expect_block_end();
    return s;
}

StmtPtr Parser::parse_loop_control(StmtKind kind, int line) {
    if (loop_depth_ == 0) fail("break and continue are only allowed inside a loop");
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    s->line = line;
    expect_block_end();
    return s;
}

std::unique_ptr<const Program> parse_template(std::string_view source) {
    auto program = std::make_unique<Program>();
    program->body = Parser(tokenize(source)).parse_document();
    return program;
}

}  // namespace hearth::jinja
