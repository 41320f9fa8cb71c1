-- The plugin's tests, in order: later cases build on the session earlier ones leave (the open
-- buffers, the running server), as a user's session would.
local h = require("helpers")

local M = { list = {} }

local strategy = vim.env.RIPPLE_TEST_STRATEGY
if strategy == "" then
  strategy = nil
end
local out = vim.env.RIPPLE_TEST_OUT or vim.fn.tempname()
local plugin_root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")

-- Shared between cases.
local S = {
  workspace = nil,
  app = nil, -- app.py's buffer
  util = nil, -- pkg/util.py's buffer
  client_id = nil,
  echoed = nil, -- every nvim_echo call
  notified = nil, -- every vim.notify call
  lsp_progress = {}, -- what Neovim's own progress events said about ripple
  server_log = out .. "/ripple-server.log",
}

local function case(name, run, essential)
  table.insert(M.list, { name = name, run = run, essential = essential })
end

function M.strategy_label()
  return "strategy " .. (strategy or require("ripple.compat").default_strategy())
end

-- setup() with the strategy under test and `opts`.
local function setup(opts)
  opts = opts or {}
  opts._strategy = strategy
  require("ripple").setup(opts)
end

local function ripple_clients(bufnr)
  return require("ripple").clients(bufnr)
end

local function echoed_texts()
  local texts = {}
  for _, call in ipairs(S.echoed) do
    local chunks = call[1]
    local text = {}
    for _, chunk in ipairs(chunks) do
      table.insert(text, chunk[1])
    end
    table.insert(texts, table.concat(text))
  end
  return texts
end

local function has_match(list, pattern)
  for _, item in ipairs(list) do
    if type(item) == "string" and item:find(pattern) then
      return item
    end
  end
end

function M.describe_state()
  local lines = {}
  for _, client in ipairs(ripple_clients()) do
    table.insert(lines, ("client %d root=%s stopped=%s"):format(
      client.id,
      tostring(client.config.root_dir),
      tostring(require("ripple.compat").is_stopped(client))
    ))
  end
  if S.app then
    table.insert(lines, "app.py diagnostics: " .. vim.inspect(h.diagnostics(S.app)))
  end
  table.insert(lines, "progress history: " .. vim.inspect(require("ripple.progress").history))
  if S.notified then
    table.insert(lines, "notifications: " .. vim.inspect(S.notified))
  end
  local log = vim.fn.stdpath("cache") .. "/lsp.log"
  if vim.fn.has("nvim-0.8") == 1 then
    log = vim.lsp.get_log_path()
  end
  table.insert(lines, "lsp.log tail:\n" .. h.tail(log, 15))
  return table.concat(lines, "\n")
end

case("the help file's tags are valid", function()
  -- helptags writes doc/tags: work on a copy so the repository stays clean.
  -- :helptags fails on a duplicate tag, which fails the test.
  local copy = out .. "/help"
  vim.fn.mkdir(copy .. "/doc", "p")
  vim.fn.writefile(vim.fn.readfile(plugin_root .. "/doc/ripple.txt"), copy .. "/doc/ripple.txt")
  vim.cmd("helptags " .. vim.fn.fnameescape(copy .. "/doc"))
  local tags = table.concat(vim.fn.readfile(copy .. "/doc/tags"), "\n")
  for _, tag in ipairs({ "ripple.txt", "ripple.setup()", ":RippleStats", ":RippleRestart" }) do
    h.contains(tags, tag .. "\t", "doc/tags")
  end
  vim.opt.runtimepath:append(copy)
  vim.cmd("help :RippleStats")
  h.eq("help", vim.bo.buftype, "buftype after :help :RippleStats")
  h.contains(vim.api.nvim_get_current_line(), "RippleStats", "the help line")
  vim.cmd("helpclose")
end)

case("setup() refuses bad options with a message naming them", function()
  local ok, err = pcall(require("ripple").setup, { diagnostic_mode = "everything" })
  h.eq(false, ok, "setup with a bad diagnostic_mode")
  h.contains(err, "diagnostic_mode", "the error")
  ok, err = pcall(require("ripple").setup, { cmd = "ripple lsp" })
  h.eq(false, ok, "setup with cmd as a string")
  h.contains(err, "'cmd'", "the error")
  ok, err = pcall(require("ripple").setup, { root_marker = { ".git" } })
  h.eq(false, ok, "setup with a misspelt option")
  h.contains(err, "root_marker", "the error")
end)

case("setup({}) is enough with ripple on PATH", function()
  h.eq(1, vim.fn.executable("ripple"), "executable('ripple') (scripts/test.sh puts one on PATH)")
  S.echoed = h.record(vim.api, "nvim_echo", true)
  S.notified = h.record(vim, "notify")
  if vim.fn.exists("##LspProgress") == 1 then
    vim.api.nvim_create_autocmd("LspProgress", {
      callback = function(args)
        local client = vim.lsp.get_client_by_id(args.data.client_id)
        if client and client.name == "ripple" then
          local value = args.data.params.value
          local text = tostring(value.title or value.message)
          table.insert(S.lsp_progress, tostring(value.kind) .. " " .. text)
        end
      end,
    })
  else
    vim.api.nvim_create_autocmd("User", {
      pattern = "LspProgressUpdate",
      callback = function()
        table.insert(S.lsp_progress, "LspProgressUpdate")
      end,
    })
  end
  setup({})
  local options = require("ripple").options()
  h.eq({ "ripple", "lsp", "--stdio" }, options.cmd, "default cmd")
  h.eq("open-files", options.diagnostic_mode, "default diagnostic_mode")
  h.eq({ "python" }, options.filetypes, "default filetypes")
  h.eq(2, vim.fn.exists(":RippleStats"), ":RippleStats defined")
  h.eq(2, vim.fn.exists(":RippleRestart"), ":RippleRestart defined")
end, true)

case("opening a Python file starts ripple at the workspace root", function()
  -- Outside the repository, whose .gitignore files the server would otherwise read.
  local projects = vim.fn.tempname() .. "-projects"
  S.workspace = h.make_workspace(projects .. "/main")
  S.second = h.make_second_project(projects .. "/second")
  vim.cmd("edit " .. vim.fn.fnameescape(S.workspace .. "/app.py"))
  S.app = vim.api.nvim_get_current_buf()
  h.eq("python", vim.bo[S.app].filetype, "filetype")
  local client = h.wait_for("a ripple client attached to app.py", function()
    return ripple_clients(S.app)[1]
  end)
  S.client_id = client.id
  h.eq(S.workspace, h.realpath(client.config.root_dir), "root_dir")
  h.eq("open-files", client.config.init_options.diagnosticMode, "initializationOptions")
  -- The plugin has diagnostics pushed on every version (see config.capabilities).
  h.wait_for("the server's capabilities", function()
    return client.server_capabilities and next(client.server_capabilities) ~= nil
  end)
  h.eq(nil, client.server_capabilities.diagnosticProvider, "diagnosticProvider")
end, true)

case("ripple's diagnostics arrive in vim.diagnostic", function()
  h.wait_for_diagnostics(S.app, { "0:unused-import", "1:unresolved-import", "6:undefined-name" })
  local undefined = h.find_diagnostic(S.app, "undefined-name")
  h.eq(vim.diagnostic.severity.ERROR, undefined.severity, "undefined-name severity")
  h.contains(undefined.message, "undefined_thing", "undefined-name message")
  local unused = h.find_diagnostic(S.app, "unused-import")
  h.eq(vim.diagnostic.severity.WARN, unused.severity, "unused-import severity")
end, true)

case("indexing progress is reported, and echoed", function()
  local progress = require("ripple.progress")
  h.wait_for("the end of indexing", function()
    for _, event in ipairs(progress.history) do
      if event.kind == "end" and event.title == "ripple: indexing" then
        return true
      end
    end
    return false, vim.inspect(progress.history)
  end)
  local begin
  for _, event in ipairs(progress.history) do
    if event.kind == "begin" and event.client_id == S.client_id then
      begin = event
      break
    end
  end
  h.truthy(begin, "a begin event from the client")
  h.eq("ripple: indexing", begin.title, "title")
  h.truthy(begin.message:find("^%d+/%d+ files"), "done/total files: " .. tostring(begin.message))
  local echoed = echoed_texts()
  local seen = ", echoed: " .. vim.inspect(echoed)
  h.truthy(has_match(echoed, "^ripple: indexing %d+/%d+ files"), "'ripple: indexing n/m'" .. seen)
  h.truthy(has_match(echoed, "^ripple: indexed %d+ files"), "'ripple: indexed n files'" .. seen)
  -- Neovim's own progress machinery saw it too (LspProgress on 0.10+, LspProgressUpdate before).
  h.truthy(#S.lsp_progress > 0, "Neovim's progress events for ripple")
  if vim.fn.exists("##LspProgress") == 1 then
    local events = vim.inspect(S.lsp_progress)
    h.truthy(has_match(S.lsp_progress, "^begin "), "an LspProgress begin: " .. events)
    h.truthy(has_match(S.lsp_progress, "^end "), "an LspProgress end")
  end
  h.eq("", require("ripple").status(), "status() once indexing is over")
end)

case("fixing a problem in the buffer clears its diagnostic", function()
  vim.api.nvim_buf_set_lines(S.app, 6, 7, false, { "    return helper(notamodule.VALUE, 42)" })
  h.wait_for_diagnostics(S.app, { "0:unused-import", "1:unresolved-import" })
end, true)

case("a problem typed into the buffer appears", function()
  vim.api.nvim_buf_set_lines(S.app, 0, 0, false, { "import json" })
  h.wait_for_diagnostics(S.app, { "0:unused-import", "1:unused-import", "2:unresolved-import" })
  h.contains(h.find_diagnostic(S.app, "unused-import").message, "json", "the first unused import")
end, true)

case("another file of the workspace shares the server; other filetypes are left alone", function()
  vim.cmd("split " .. vim.fn.fnameescape(S.workspace .. "/pkg/util.py"))
  S.util = vim.api.nvim_get_current_buf()
  local client = h.wait_for("a ripple client attached to pkg/util.py", function()
    return ripple_clients(S.util)[1]
  end)
  h.eq(S.client_id, client.id, "util.py's client")
  h.eq(1, #ripple_clients(), "ripple clients running")
  vim.cmd("split " .. vim.fn.fnameescape(S.workspace .. "/notes.txt"))
  local notes = vim.api.nvim_get_current_buf()
  h.eq(nil, require("ripple.server").attach(notes), "attach() on notes.txt")
  -- 0.11 starts clients from a scheduled callback: let those run before looking.
  h.flush()
  h.eq(0, #ripple_clients(notes), "ripple clients on notes.txt")
  vim.cmd("close")
  vim.cmd("wincmd t")
end)

case("an edit to an imported file updates the importer", function()
  -- app.py does `from pkg.util import helper`: renaming helper in util.py breaks that import.
  vim.api.nvim_buf_set_lines(S.util, 0, 1, false, { "def helper2(*args):" })
  h.wait_for("missing-module-member in app.py", function()
    local found = h.diagnostics(S.app)
    return vim.tbl_contains(found, "3:missing-module-member"), vim.inspect(found)
  end)
  vim.api.nvim_buf_set_lines(S.util, 0, 1, false, { "def helper(*args):" })
  h.wait_for("app.py's import to resolve again", function()
    local found = h.diagnostics(S.app)
    return not vim.tbl_contains(found, "3:missing-module-member"), vim.inspect(found)
  end)
end)

case("status() describes progress under way", function()
  local progress = require("ripple.progress")
  local status = require("ripple").status
  progress.handle(-1, "t", { kind = "begin", title = "ripple: indexing", message = "2/10 files" })
  h.eq("ripple: indexing 2/10 files", status(), "status() during progress")
  local report = { kind = "report", message = "5/10 files, about 1 s left", percentage = 50 }
  progress.handle(-1, "t", report)
  h.eq("ripple: indexing 5/10 files, about 1 s left", status(), "status() after a report")
  progress.handle(-1, "t", { kind = "end", message = "indexed 10 files" })
  h.eq("", require("ripple").status(), "status() after the end")
end)

case("stats are formatted whatever the server leaves out or adds", function()
  local lines = require("ripple.stats").format({
    files = 3,
    lastEditLatencyMs = vim.NIL,
    memoryBytes = 12345678,
    queries = {},
    someNewCounter = 7,
  })
  local text = table.concat(lines, "\n")
  h.truthy(text:find("files indexed%s+3"), "files indexed:\n" .. text)
  h.truthy(text:find("last edit latency%s+%-"), "a dash for a null latency:\n" .. text)
  h.truthy(text:find("memory%s+11%.8 MiB"), "memory in MiB:\n" .. text)
  h.truthy(text:find("someNewCounter%s+7"), "an unknown field as it came:\n" .. text)
end)

case(":RippleStats shows the server's statistics", function()
  local answer
  h.truthy(require("ripple").stats(function(results)
    answer = results
  end), "a stats request sent")
  h.wait_for("the ripple/stats answer", function()
    return answer
  end)
  h.eq(nil, answer[1].err, "stats error")
  local stats = answer[1].stats
  h.eq(4, stats.files, "files")
  h.eq(2, stats.openDocuments, "openDocuments")
  h.truthy(type(stats.edits) == "number" and stats.edits >= 2, "edits: " .. tostring(stats.edits))

  local before = #h.floating_windows()
  vim.cmd("RippleStats")
  local float = h.wait_for("the stats float", function()
    local floats = h.floating_windows()
    return #floats > before and floats[#floats]
  end)
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false)
  local text = table.concat(lines, "\n")
  h.contains(text, "ripple stats (client " .. S.client_id, "the float")
  h.truthy(text:find("files indexed%s+4"), "'files indexed 4' in the float:\n" .. text)
  h.truthy(text:find("open documents%s+2"), "'open documents 2' in the float:\n" .. text)
  h.truthy(text:find("memory%s+[%d.]+ [KMG]?i?B"), "memory in the float:\n" .. text)
  h.eq(float, vim.api.nvim_get_current_win(), "the float has the focus")
  vim.cmd("normal q")
  h.eq(false, vim.api.nvim_win_is_valid(float), "float still open after q")
end)

case("a file of another project gets a server of its own", function()
  vim.cmd("split " .. vim.fn.fnameescape(S.second .. "/tool.py"))
  local tool = vim.api.nvim_get_current_buf()
  local client = h.wait_for("a ripple client attached to tool.py", function()
    return ripple_clients(tool)[1]
  end)
  h.truthy(client.id ~= S.client_id, "a client other than app.py's")
  h.eq(S.second, h.realpath(client.config.root_dir), "tool.py's root_dir")
  h.eq(2, #ripple_clients(), "ripple clients running")
  -- Wiped out, so :RippleRestart below has no buffer to start this project's server for.
  vim.cmd("bwipeout")
end)

case(":RippleRestart brings the server back, with new options", function()
  local old = S.client_id
  local attached = {}
  -- New options apply to the restarted server: a log file at debug level, an on_attach.
  setup({
    log_file = S.server_log,
    log_level = "debug",
    on_attach = function(client, bufnr)
      table.insert(attached, { client.id, bufnr })
    end,
  })
  vim.cmd("RippleRestart")
  local client = h.wait_for("a new client on app.py", function()
    local current = ripple_clients(S.app)[1]
    return current and current.id ~= old and current
  end)
  h.eq(nil, vim.lsp.get_client_by_id(old), "the old client")
  h.wait_for("util.py attached to the new client", function()
    local current = ripple_clients(S.util)[1]
    return current and current.id == client.id
  end)
  S.client_id = client.id
  h.wait_for_diagnostics(S.app, { "0:unused-import", "1:unused-import", "2:unresolved-import" })
  h.wait_for("a restart notification", function()
    for _, call in ipairs(S.notified) do
      if tostring(call[1]):find("^ripple: restarted") then
        return true
      end
    end
  end)
  h.eq(1, #ripple_clients(), "ripple clients after the restart")
  h.wait_for("on_attach for both buffers", function()
    local seen = {}
    for _, call in ipairs(attached) do
      if call[1] == client.id then
        seen[call[2]] = true
      end
    end
    return seen[S.app] and seen[S.util], vim.inspect(attached)
  end)
  local cmd = client.config.cmd
  h.truthy(vim.tbl_contains(cmd, "--log-file"), "--log-file in cmd " .. vim.inspect(cmd))
  h.wait_for("debug lines in the server's log file", function()
    local size = vim.fn.getfsize(S.server_log)
    return size > 0 and h.tail(S.server_log, 200):find("DEBUG") ~= nil, "size " .. size
  end)
end, true)

case("workspace mode reports files that are not open; progress goes to a function", function()
  local events = {}
  local function progress_echoes()
    return #vim.tbl_filter(function(text)
      return text:find("^ripple: index") ~= nil
    end, echoed_texts())
  end
  local echoes = progress_echoes()
  setup({
    diagnostic_mode = "workspace",
    log_file = S.server_log,
    log_level = "debug",
    progress = function(event)
      table.insert(events, event)
    end,
  })
  local old = S.client_id
  vim.cmd("RippleRestart")
  local client = h.wait_for("a new client in workspace mode", function()
    local current = ripple_clients(S.app)[1]
    return current and current.id ~= old and current
  end)
  S.client_id = client.id
  h.eq("workspace", client.config.init_options.diagnosticMode, "initializationOptions")
  local other = S.workspace .. "/other.py"
  h.wait_for("other.py's unused import, without opening it", function()
    local bufnr = vim.fn.bufnr(other)
    local found = bufnr > 0 and h.diagnostics(bufnr) or {}
    return vim.deep_equal(found, { "0:unused-import" }), vim.inspect(found)
  end)
  h.eq(0, vim.fn.bufloaded(other), "other.py loaded")
  h.wait_for("the progress function to see indexing end", function()
    local last = events[#events]
    return last and last.kind == "end" and last.client_id == client.id, vim.inspect(events)
  end)
  h.eq("begin", events[1].kind, "first event")
  h.eq("ripple: indexing", events[1].title, "first event's title")
  -- (vim.notify echoes too, on some versions: only progress echoes count.)
  h.eq(echoes, progress_echoes(), "progress echoes while a progress function is set")
end)

case(":checkhealth ripple reports the server", function()
  vim.cmd("silent checkhealth ripple")
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  h.truthy(text:find("OK.*ripple %d+%.%d+"), "ripple's version in the checkhealth report:\n" .. text)
  h.contains(text, "running for " .. S.workspace, "the checkhealth report")
  vim.cmd(vim.fn.tabpagenr("$") > 1 and "tabclose" or "bdelete")
end)

case("a missing server is reported once, not once per buffer", function()
  -- Counted from before setup(): re-registering already looks at the open Python buffers.
  local before = #S.notified
  setup({ cmd = { out .. "/no-such-ripple", "lsp" } })
  vim.cmd("edit " .. vim.fn.fnameescape(S.workspace .. "/other.py"))
  vim.cmd("edit " .. vim.fn.fnameescape(S.workspace .. "/pkg/__init__.py"))
  local warnings = {}
  for index = before + 1, #S.notified do
    table.insert(warnings, S.notified[index][1])
  end
  h.eq(1, #warnings, "warnings " .. vim.inspect(warnings))
  h.contains(warnings[1], "no-such-ripple", "the warning")
  h.eq(0, #ripple_clients(vim.api.nvim_get_current_buf()), "clients on __init__.py")
end)

return M
