#include "core/chat/jinja_interpreter.h"

#include <algorithm>

#include "core/chat/jinja_builtins.h"
#include "core/error.h"

namespace hearth::jinja {

namespace {

// A macro defined with {% macro %}; it runs in a fresh scope under the template's top level.
class MacroCallable : public Callable {
public:
    explicit MacroCallable(const Stmt* def) : def_(def) {}
    Value call(Interpreter& interp, CallArgs args) const override {
        return interp.invoke_macro(*def_, std::move(args), Value());
    }
    std::string repr() const override { return "<Macro '" + def_->text + "'>"; }
    const Stmt& definition() const { return *def_; }

private:
    const Stmt* def_;
};

// caller() inside a macro invoked by {% call %}: renders the call block's body in the scope
// of the call site, which only exists while the call block runs.
class CallerCallable : public Callable {
public:
    CallerCallable(const Stmt* block, Scope* scope, std::shared_ptr<const bool> alive)
        : block_(block), scope_(scope), alive_(std::move(alive)) {}
    Value call(Interpreter& interp, CallArgs args) const override {
        if (!*alive_) throw TemplateError("caller() used after its call block ended");
        return interp.invoke_caller(*block_, *scope_, std::move(args));
    }
    std::string repr() const override { return "<Macro 'caller'>"; }

private:
    const Stmt* block_;
    Scope* scope_;
    std::shared_ptr<const bool> alive_;
};

// The `loop` variable of one iteration.
class CycleCallable : public Callable {
public:
    explicit CycleCallable(std::size_t index) : index_(index) {}
    Value call(Interpreter&, CallArgs args) const override {
        if (args.positional.empty()) throw TemplateError("loop.cycle() needs at least one argument");
        return args.positional[index_ % args.positional.size()];
    }
    std::string repr() const override { return "<bound method LoopContext.cycle>"; }

private:
    std::size_t index_;
};

Value make_loop(const std::vector<Value>& items, std::size_t i) {
    const auto n = static_cast<std::int64_t>(items.size());
    const auto k = static_cast<std::int64_t>(i);
    std::vector<std::pair<std::string, Value>> fields = {
        {"index", Value::integer(k + 1)},
        {"index0", Value::integer(k)},
        {"revindex", Value::integer(n - k)},
        {"revindex0", Value::integer(n - k - 1)},
        {"first", Value::boolean(k == 0)},
        {"last", Value::boolean(k == n - 1)},
        {"length", Value::integer(n)},
        {"depth", Value::integer(1)},
        {"depth0", Value::integer(0)},
        {"cycle", Value::from(CallablePtr(std::make_shared<CycleCallable>(i)))},
    };
    if (i > 0) fields.emplace_back("previtem", items[i - 1]);
    if (i + 1 < items.size()) fields.emplace_back("nextitem", items[i + 1]);
    return Value::dict(std::move(fields));
}

}  // namespace

const Value* Scope::lookup(std::string_view name) const {
    for (const Scope* s = this; s; s = s->parent_) {
        for (const auto& [k, v] : s->vars_) {
            if (k == name) return &v;
        }
    }
    return nullptr;
}

void Scope::set(std::string_view name, Value value) {
    for (auto& [k, v] : vars_) {
        if (k == name) {
            v = std::move(value);
            return;
        }
    }
    vars_.emplace_back(std::string(name), std::move(value));
}

Interpreter::DepthGuard::DepthGuard(Interpreter& interp) : interp_(interp) {
    if (++interp_.depth_ > interp_.limits_.max_depth) {
        --interp_.depth_;
        throw Error(ErrorKind::bad_request, "chat template nested too deeply (more than " +
                                                std::to_string(interp_.limits_.max_depth) +
                                                " levels of statements, expressions or macro calls)");
    }
}

Interpreter::~Interpreter() {
    for (const NamespacePtr& ns : namespaces_) ns->attrs.clear();
}

std::string Interpreter::render(const Program& program, std::vector<std::pair<std::string, Value>> context) {
    Scope globals(nullptr);
    for (auto& [name, value] : builtin_globals()) globals.set(name, std::move(value));
    Scope root(&globals);
    for (auto& [name, value] : context) root.set(name, std::move(value));
    std::string out;
    root_ = &root;
    out_ = &out;
    exec_list(program.body, root);
    root_ = nullptr;
    out_ = nullptr;
    return out;
}

void Interpreter::emit(std::string_view text) {
    if (out_->size() + text.size() > limits_.max_output_bytes) {
        throw Error(ErrorKind::bad_request, "chat template output exceeds " +
                                                std::to_string(limits_.max_output_bytes) + " bytes");
    }
    out_->append(text);
}

void Interpreter::check_string_size(std::size_t bytes) const {
    if (bytes > limits_.max_output_bytes) {
        throw TemplateError("string of " + std::to_string(bytes) + " bytes exceeds the output limit");
    }
}

void Interpreter::check_list_size(std::size_t items) { spend_steps(items); }

void Interpreter::spend_steps(std::size_t n) {
    if (n > limits_.max_steps - std::min(steps_, limits_.max_steps)) {
        steps_ = limits_.max_steps;
        throw Error(ErrorKind::bad_request, "chat template exceeded " + std::to_string(limits_.max_steps) +
                                                " steps (loop iterations, macro calls and list items)");
    }
    steps_ += n;
}

NamespacePtr Interpreter::new_namespace() {
    spend_steps(1);
    namespaces_.push_back(std::make_shared<Namespace>());
    return namespaces_.back();
}

Interpreter::Flow Interpreter::exec_list(const StmtList& list, Scope& scope) {
    for (const StmtPtr& stmt : list) {
        const Flow flow = exec(*stmt, scope);
        if (flow != Flow::normal) return flow;
    }
    return Flow::normal;
}

Interpreter::Flow Interpreter::exec(const Stmt& stmt, Scope& scope) {
    const DepthGuard guard(*this);
    try {
        return exec_statement(stmt, scope);
    } catch (const TemplateError& e) {
        throw Error(ErrorKind::bad_request,
                    "chat template error (line " + std::to_string(stmt.line) + "): " + e.what());
    }
}

Interpreter::Flow Interpreter::exec_statement(const Stmt& stmt, Scope& scope) {
    switch (stmt.kind) {
        case StmtKind::text: emit(stmt.text); break;
        case StmtKind::output: emit(to_str(eval(*stmt.exprs[0], scope))); break;
        case StmtKind::if_chain: return exec_if(stmt, scope);
        case StmtKind::for_loop: return exec_for(stmt, scope);
        case StmtKind::set: exec_set(stmt, scope); break;
        case StmtKind::set_attr: exec_set_attr(stmt, scope); break;
        case StmtKind::set_block: {
            Scope inner(&scope);
            scope.set(stmt.names[0], Value::string(capture(stmt.bodies[0], inner)));
            break;
        }
        case StmtKind::macro:
            scope.set(stmt.text, Value::from(CallablePtr(std::make_shared<MacroCallable>(&stmt))));
            break;
        case StmtKind::call_block: exec_call_block(stmt, scope); break;
        case StmtKind::scope: {
            Scope inner(&scope);
            for (std::size_t i = 0; i < stmt.names.size(); ++i) inner.set(stmt.names[i], eval(*stmt.exprs[i], scope));
            return exec_list(stmt.bodies[0], inner);
        }
        case StmtKind::break_loop: return Flow::break_loop;
        case StmtKind::continue_loop: return Flow::continue_loop;
    }
    return Flow::normal;
}

Interpreter::Flow Interpreter::exec_if(const Stmt& stmt, Scope& scope) {
    for (std::size_t i = 0; i < stmt.exprs.size(); ++i) {
        if (truthy(eval(*stmt.exprs[i], scope))) return exec_list(stmt.bodies[i], scope);
    }
    if (stmt.bodies.size() > stmt.exprs.size()) return exec_list(stmt.bodies.back(), scope);
    return Flow::normal;
}

Interpreter::Flow Interpreter::exec_for(const Stmt& stmt, Scope& scope) {
    std::vector<Value> items = iterate(eval(*stmt.exprs[0], scope));
    if (const Expr* filter = stmt.exprs[1].get()) {
        std::vector<Value> kept;
        for (Value& item : items) {
            spend_steps(1);
            Scope probe(&scope);
            bind_targets(stmt.names, item, probe);
            if (truthy(eval(*filter, probe))) kept.push_back(std::move(item));
        }
        items = std::move(kept);
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
        spend_steps(1);
        Scope iteration(&scope);
        iteration.set("loop", make_loop(items, i));
        bind_targets(stmt.names, items[i], iteration);
        if (exec_list(stmt.bodies[0], iteration) == Flow::break_loop) break;
    }
    if (items.empty()) return exec_list(stmt.bodies[1], scope);
    return Flow::normal;
}

void Interpreter::bind_targets(const std::vector<std::string>& names, const Value& value, Scope& scope) {
    if (names.size() == 1) {
        scope.set(names[0], value);
        return;
    }
    std::vector<Value> parts = iterate(value);
    if (parts.size() != names.size()) {
        throw TemplateError("cannot unpack " + std::to_string(parts.size()) + " values into " +
                            std::to_string(names.size()) + " names");
    }
    for (std::size_t i = 0; i < names.size(); ++i) scope.set(names[i], std::move(parts[i]));
}

void Interpreter::exec_set(const Stmt& stmt, Scope& scope) {
    bind_targets(stmt.names, eval(*stmt.exprs[0], scope), scope);
}

void Interpreter::exec_set_attr(const Stmt& stmt, Scope& scope) {
    const Value* target = scope.lookup(stmt.names[0]);
    if (!target || !target->is(Value::Kind::ns)) {
        throw TemplateError("cannot assign attribute '" + stmt.text + "' on non-namespace object '" +
                            stmt.names[0] + "'");
    }
    const NamespacePtr ns = target->ns_ptr();
    ns->set(stmt.text, eval(*stmt.exprs[0], scope));
}

void Interpreter::exec_call_block(const Stmt& stmt, Scope& scope) {
    const Expr& call = *stmt.exprs[0];
    const Value callee = eval(*call.children[0], scope);
    const auto* macro = callee.is(Value::Kind::callable) ? dynamic_cast<const MacroCallable*>(&callee.as_callable())
                                                         : nullptr;
    if (!macro) throw TemplateError("{% call %} needs a macro to call");
    CallArgs args = eval_args(call, 1, scope);
    auto alive = std::make_shared<bool>(true);
    struct Expire {
        bool& flag;
        ~Expire() { flag = false; }
    } expire{*alive};
    const Value caller = Value::from(CallablePtr(std::make_shared<CallerCallable>(&stmt, &scope, alive)));
    emit(to_str(invoke_macro(macro->definition(), std::move(args), caller)));
}

std::string Interpreter::capture(const StmtList& body, Scope& scope) {
    std::string buffer;
    std::string* saved = std::exchange(out_, &buffer);
    struct Restore {
        std::string*& target;
        std::string* value;
        ~Restore() { target = value; }
    } restore{out_, saved};
    exec_list(body, scope);
    return buffer;
}

Value Interpreter::invoke_macro(const Stmt& macro, CallArgs args, Value caller) {
    const DepthGuard guard(*this);
    spend_steps(1);
    const std::vector<std::string>& params = macro.names;
    if (args.positional.size() > params.size()) {
        throw TemplateError("macro '" + macro.text + "' takes not more than " + std::to_string(params.size()) +
                            " argument(s)");
    }
    for (const auto& [key, value] : args.keyword) {
        if (std::find(params.begin(), params.end(), key) == params.end()) {
            throw TemplateError("macro '" + macro.text + "' takes no keyword argument '" + key + "'");
        }
    }
    Scope scope(root_);
    for (std::size_t i = 0; i < params.size(); ++i) {
        const Value* given = i < args.positional.size() ? &args.positional[i] : nullptr;
        for (const auto& [key, value] : args.keyword) {
            if (key != params[i]) continue;
            if (given) throw TemplateError("macro '" + macro.text + "' got multiple values for '" + key + "'");
            given = &value;
        }
        if (given) {
            scope.set(params[i], *given);
        } else if (macro.exprs[i]) {
            scope.set(params[i], eval(*macro.exprs[i], scope));
        } else {
            scope.set(params[i], Value::undefined("parameter '" + params[i] + "' was not provided"));
        }
    }
    if (!caller.is_undefined()) scope.set("caller", std::move(caller));
    return Value::string(capture(macro.bodies[0], scope));
}

Value Interpreter::invoke_caller(const Stmt& call_block, Scope& call_site, CallArgs args) {
    const DepthGuard guard(*this);
    spend_steps(1);
    if (args.positional.size() > call_block.names.size() || !args.keyword.empty()) {
        throw TemplateError("caller() got unexpected arguments");
    }
    Scope scope(&call_site);
    for (std::size_t i = 0; i < call_block.names.size(); ++i) {
        const Expr* fallback = call_block.exprs[i + 1].get();
        if (i < args.positional.size()) {
            scope.set(call_block.names[i], args.positional[i]);
        } else if (fallback) {
            scope.set(call_block.names[i], eval(*fallback, scope));
        } else {
            scope.set(call_block.names[i], Value::undefined("parameter '" + call_block.names[i] + "' was not provided"));
        }
    }
    return Value::string(capture(call_block.bodies[0], scope));
}

}  // namespace hearth::jinja
