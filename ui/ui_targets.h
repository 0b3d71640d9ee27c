#pragma once
// Where named widgets were drawn this frame, so the scripted test mode can click them.
#include <map>
#include <optional>
#include <string>

namespace hearth::ui {

struct TargetRect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

class UiTargets {
public:
    void clear() { rects_.clear(); }
    void set(const std::string& name, const TargetRect& rect) { rects_[name] = rect; }
    std::optional<TargetRect> find(const std::string& name) const {
        const auto it = rects_.find(name);
        return it == rects_.end() ? std::nullopt : std::optional<TargetRect>(it->second);
    }

private:
    std::map<std::string, TargetRect> rects_;
};

}  // namespace hearth::ui
