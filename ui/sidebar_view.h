#pragma once
// The conversation sidebar: new chat, search, the stored conversations (most recent first),
// and rename / delete from each one's context menu.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/history/history_store.h"
#include "ui/ui_targets.h"

namespace hearth::ui {

struct SidebarState {
    std::string search;
    std::vector<Conversation> listed;
    bool stale = true;  // re-read the list on the next frame
    std::optional<int64_t> renaming;
    std::string rename_text;
    std::optional<int64_t> deleting;
};

struct SidebarRequests {
    bool new_chat = false;
    std::optional<int64_t> open;
    std::optional<std::pair<int64_t, std::string>> rename;
    std::optional<int64_t> remove;
};

struct SidebarContext {
    std::optional<int64_t> current;  // the open conversation
    bool locked = false;             // an answer is being written: no switching
    UiTargets& targets;
};

// Reads the list through `history` when stale; throws Error(io) when that fails.
void refresh_sidebar(SidebarState& state, const HistoryStore& history);
SidebarRequests draw_sidebar(SidebarState& state, const SidebarContext& context);

}  // namespace hearth::ui
