#include "ui/sidebar_view.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/widgets.h"

namespace hearth::ui {
namespace {

constexpr const char* kRenamePopup = "Rename conversation";
constexpr const char* kDeletePopup = "Delete conversation?";
constexpr std::int64_t kListLimit = 500;

void draw_rename_popup(SidebarState& state, SidebarRequests& requests) {
    if (state.renaming && !ImGui::IsPopupOpen(kRenamePopup)) ImGui::OpenPopup(kRenamePopup);
    if (!ImGui::BeginPopupModal(kRenamePopup, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool entered = ImGui::InputText("##title", &state.rename_text, ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button("Rename") || entered) {
        if (state.renaming) requests.rename = std::make_pair(*state.renaming, state.rename_text);
        state.renaming.reset();
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) {
        state.renaming.reset();
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

void draw_delete_popup(SidebarState& state, SidebarRequests& requests) {
    if (state.deleting && !ImGui::IsPopupOpen(kDeletePopup)) ImGui::OpenPopup(kDeletePopup);
    if (!ImGui::BeginPopupModal(kDeletePopup, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    ImGui::TextUnformatted("The conversation and all its messages will be deleted.");
    if (ImGui::Button("Delete")) {
        requests.remove = state.deleting;
        state.deleting.reset();
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) {
        state.deleting.reset();
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

void draw_entry(SidebarState& state, const SidebarContext& context, const Conversation& conversation, SidebarRequests& requests) {
    ImGui::PushID(static_cast<int>(conversation.id));
    const std::string& title = conversation.title.empty() ? std::string("(untitled)") : conversation.title;
    const bool selected = context.current == conversation.id;
    ImGui::BeginDisabled(context.locked && !selected);
    if (ImGui::Selectable(title.c_str(), selected) && !selected) requests.open = conversation.id;
    ImGui::EndDisabled();
    hover_tooltip(context.locked ? "stop the answer first (Esc)" : "right-click: rename or delete");
    if (ImGui::BeginPopupContextItem("actions")) {
        if (ImGui::MenuItem("Rename")) {
            state.renaming = conversation.id;
            state.rename_text = conversation.title;
        }
        if (ImGui::MenuItem("Delete", nullptr, false, !(context.locked && selected))) state.deleting = conversation.id;
        ImGui::EndPopup();
    }
    ImGui::PopID();
}

}  // namespace

void refresh_sidebar(SidebarState& state, const HistoryStore& history) {
    if (!state.stale) return;
    state.stale = false;  // a failing database is not asked again every frame
    state.listed = history.search_conversations(state.search, Page{kListLimit, 0});
}

SidebarRequests draw_sidebar(SidebarState& state, const SidebarContext& context) {
    SidebarRequests requests;
    ImGui::BeginDisabled(context.locked);
    if (ImGui::Button("+ New chat", ImVec2(-1.0f, 0.0f))) requests.new_chat = true;
    ImGui::EndDisabled();
    record_item(context.targets, "new_chat");
    hover_tooltip("Ctrl+N");
    ImGui::SetNextItemWidth(-1.0f);
    if (ImGui::InputTextWithHint("##search", "Search chats", &state.search)) state.stale = true;
    record_item(context.targets, "search");
    ImGui::Separator();
    ImGui::BeginChild("conversations");
    if (state.listed.empty()) ImGui::TextDisabled(state.search.empty() ? "No conversations yet." : "Nothing found.");
    for (const Conversation& conversation : state.listed) draw_entry(state, context, conversation, requests);
    ImGui::EndChild();
    draw_rename_popup(state, requests);
    draw_delete_popup(state, requests);
    return requests;
}

}  // namespace hearth::ui
