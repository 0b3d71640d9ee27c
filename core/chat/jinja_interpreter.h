#pragma once
// Renders a parsed template: statements, expressions, scoping as jinja2 does it (each loop
// iteration and macro call gets a fresh scope; `set` inside them does not leak out), and the
// services filters and callables need (attribute lookup, calls, budgets).
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/chat/chat_limits.h"
#include "core/chat/jinja_ast.h"
#include "core/chat/jinja_callable.h"

namespace hearth::jinja {

class Scope {
public:
    explicit Scope(Scope* parent) : parent_(parent) {}

    const Value* lookup(std::string_view name) const;
    void set(std::string_view name, Value value);

private:
    Scope* parent_;
    std::vector<std::pair<std::string, Value>> vars_;
};

class Interpreter {
public:
    explicit Interpreter(const ChatRenderLimits& limits) : limits_(limits) {}
    ~Interpreter();
    Interpreter(const Interpreter&) = delete;
    Interpreter& operator=(const Interpreter&) = delete;

    // Runs the program with the given top-level variables; errors are hearth::Error.
    std::string render(const Program& program, std::vector<std::pair<std::string, Value>> context);

    // Services for filters, methods and callables.
    Value eval(const Expr& e, Scope& scope);
    Value get_attribute(const Value& obj, std::string_view name);  // obj.name
    Value get_item(const Value& obj, const Value& key);            // obj[key]
    Value call(const Value& callee, CallArgs args);
    Value apply_filter(std::string_view name, const Value& subject, CallArgs args);
    bool apply_test(std::string_view name, const Value& subject, CallArgs args);
    std::vector<Value> iterate(const Value& v);  // what a for loop sees
    void check_string_size(std::size_t bytes) const;
    void check_list_size(std::size_t items);  // also spends steps: building lists costs work
    void spend_steps(std::size_t n);
    NamespacePtr new_namespace();

    // Bodies of macros and call blocks, run by their callables.
    Value invoke_macro(const Stmt& macro, CallArgs args, Value caller);
    Value invoke_caller(const Stmt& call_block, Scope& scope, CallArgs args);

private:
    enum class Flow { normal, break_loop, continue_loop };

    class DepthGuard {
    public:
        explicit DepthGuard(Interpreter& interp);
        ~DepthGuard() { --interp_.depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;

    private:
        Interpreter& interp_;
    };

    Flow exec_list(const StmtList& list, Scope& scope);
    Flow exec(const Stmt& stmt, Scope& scope);
    Flow exec_statement(const Stmt& stmt, Scope& scope);
    Flow exec_if(const Stmt& stmt, Scope& scope);
    Flow exec_for(const Stmt& stmt, Scope& scope);
    void exec_set(const Stmt& stmt, Scope& scope);
    void exec_set_attr(const Stmt& stmt, Scope& scope);
    void exec_call_block(const Stmt& stmt, Scope& scope);
    void exec_scope(const Stmt& stmt, Scope& scope);
    std::string capture(const StmtList& body, Scope& scope);  // renders into a string
    void bind_targets(const std::vector<std::string>& names, const Value& value, Scope& scope);
    void emit(std::string_view text);

    // Expression kinds (jinja_eval_expr.cpp).
    Value eval_collection(const Expr& e, Scope& scope);
    Value eval_slice(const Expr& e, Scope& scope);
    Value eval_call(const Expr& e, Scope& scope);
    Value eval_filter(const Expr& e, Scope& scope);
    Value eval_test(const Expr& e, Scope& scope);
    Value eval_compare(const Expr& e, Scope& scope);
    CallArgs eval_args(const Expr& e, std::size_t first_arg, Scope& scope);

    ChatRenderLimits limits_;
    std::string* out_ = nullptr;
    Scope* root_ = nullptr;
    int depth_ = 0;
    std::size_t steps_ = 0;
    std::vector<NamespacePtr> namespaces_;  // cleared at the end to break reference cycles
};

}  // namespace hearth::jinja
