#pragma once
// Internal: the recursive-descent parser shared by jinja_parser.cpp (statements) and
// jinja_parse_expr.cpp (expressions).
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/chat/jinja_ast.h"
#include "core/chat/jinja_lexer.h"

namespace hearth::jinja {

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    StmtList parse_document();

    // Expressions (jinja_parse_expr.cpp).
    ExprPtr parse_expression(bool with_condexpr = true);
    ExprPtr parse_tuple(bool with_condexpr = true, bool explicit_parentheses = false);

private:
    // Counts nesting while a parse function is active; throws beyond kMaxParseDepth.
    class DepthGuard {
    public:
        explicit DepthGuard(Parser& p);
        ~DepthGuard() { --parser_.depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;

    private:
        Parser& parser_;
    };

    // Some bodies get a frame of their own in jinja2 (loops, macros, call/set/with blocks):
    // break/continue then need a loop inside it, and an unknown filter or test is a compile
    // error again; an if statement is a "soft" frame where such names fail only when run.
    class BodyContext {
    public:
        BodyContext(Parser& p, int loop_depth, bool soft);
        ~BodyContext();
        BodyContext(const BodyContext&) = delete;
        BodyContext& operator=(const BodyContext&) = delete;

    private:
        Parser& parser_;
        int saved_loop_depth_;
        bool saved_soft_;
    };

    // Token access.
    const Token& peek(std::size_t ahead = 0) const;
    Token next();
    bool at(TokenKind kind) const { return peek().kind == kind; }
    bool at_op(std::string_view op, std::size_t ahead = 0) const;
    bool at_name(std::string_view name, std::size_t ahead = 0) const;
    bool skip_op(std::string_view op);
    bool skip_name(std::string_view name);
    void expect_op(std::string_view op);
    void expect_name(std::string_view name);
    std::string expect_identifier();
    void expect_block_end();
    void expect_body_start();
    [[noreturn]] void fail(const std::string& message) const;
    ExprPtr make_expr(ExprKind kind, int line) const;

    // Statements (jinja_parser.cpp).
    StmtList parse_body(std::initializer_list<std::string_view> end_names, std::string* which_end);
    StmtPtr parse_statement();
    StmtPtr parse_if(int line);
    StmtPtr parse_for(int line);
    StmtPtr parse_set(int line);
    StmtPtr parse_macro(int line);
    StmtPtr parse_call_block(int line);
    StmtPtr parse_with(int line);
    StmtPtr parse_generation(int line);
    StmtPtr parse_loop_control(StmtKind kind, int line);
    std::vector<std::string> parse_target_names();
    void parse_parameters(Stmt& stmt);

    // Expression levels, loosest first (jinja_parse_expr.cpp).
    ExprPtr parse_condition();
    ExprPtr parse_or();
    ExprPtr parse_and();
    ExprPtr parse_not();
    ExprPtr parse_compare();
    ExprPtr parse_math1();
    ExprPtr parse_concat();
    ExprPtr parse_math2();
    ExprPtr parse_pow();
    ExprPtr parse_unary(bool with_filter);
    ExprPtr parse_primary();
    ExprPtr parse_literal_collection(std::string_view open);
    ExprPtr parse_postfix(ExprPtr node);
    ExprPtr parse_filter_expr(ExprPtr node);
    ExprPtr parse_subscript(ExprPtr node);
    ExprPtr parse_tuple_subscript(ExprPtr node, ExprPtr first, int line);
    ExprPtr parse_call(ExprPtr callee);
    ExprPtr parse_filter(ExprPtr operand);
    ExprPtr parse_test(ExprPtr operand);
    void parse_call_args(Expr& node);
    void check_known(std::string_view kind, const std::string& name, bool known) const;
    std::string parse_dotted_name();

    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    int depth_ = 0;
    int loop_depth_ = 0;  // break/continue are only valid inside a for body
    bool soft_ = false;   // inside an if statement's own frame
};

}  // namespace hearth::jinja
