-- Progress reports from the server ("ripple: indexing 120/2800 files, about 3 s left"): kept
-- per token for ripple.status(), remembered in a short history, and shown as configured.
local compat = require("ripple.compat")
local NAME = require("ripple.config").NAME

local M = {}

local HISTORY_LIMIT = 100

-- Progress under way, by "client_id:token".
local active = {}
-- The last HISTORY_LIMIT events, oldest first: for scripts, tests and bug reports.
M.history = {}
-- true (echo), false, or a function taking each event.
local display = true

function M.set_display(value)
  display = value
end

-- Progress from ripple says so, whatever the server put in its title.
local function named(text)
  if text:sub(1, #NAME) == NAME then
    return text
  end
  return NAME .. ": " .. text
end

local function describe(entry, kind, message)
  if kind == "end" then
    -- The end message ("indexed 2800 files") reads better without the title ("indexing").
    return named(message or (entry.title .. ": done"))
  end
  local text = named(entry.title)
  if message and message ~= "" then
    return text .. " " .. message
  elseif entry.percentage then
    return ("%s %d%%"):format(text, entry.percentage)
  end
  return text
end

local function echo(event)
  -- Longer than the command line and Neovim would ask the user to press Enter.
  local room = math.max((vim.v.echospace or 80) - 1, 10)
  vim.api.nvim_echo({ { event.text:sub(1, room) } }, false, {})
end

local function show(event)
  if display == true then
    echo(event)
  elseif type(display) == "function" then
    local ok, err = pcall(display, event)
    if not ok then
      vim.notify("ripple: the progress function failed: " .. tostring(err), vim.log.levels.ERROR)
    end
  end
end

-- Takes one $/progress value from a ripple client.
function M.handle(client_id, token, value)
  if type(value) ~= "table" or not value.kind then
    return
  end
  local key = client_id .. ":" .. tostring(token)
  local entry = active[key]
  if value.kind == "begin" or not entry then
    -- A report without its begin (the begin came before we listened): still worth showing.
    entry = { title = value.title or NAME }
    active[key] = entry
  end
  if value.percentage ~= nil then
    entry.percentage = value.percentage
  end
  entry.message = value.message or entry.message
  local event = {
    client_id = client_id,
    token = token,
    kind = value.kind,
    title = entry.title,
    message = value.message,
    percentage = value.percentage,
    text = describe(entry, value.kind, value.message),
  }
  if value.kind == "end" then
    active[key] = nil
  end
  table.insert(M.history, event)
  if #M.history > HISTORY_LIMIT then
    table.remove(M.history, 1)
  end
  show(event)
end

-- Progress under way, for a statusline: "" when there is none.
function M.status()
  local parts = {}
  local keys = vim.tbl_keys(active)
  table.sort(keys)
  for _, key in ipairs(keys) do
    table.insert(parts, describe(active[key], "report", active[key].message))
  end
  return table.concat(parts, "; ")
end

-- A client that exits mid-report never sends its end.
function M.forget_client(client_id)
  local prefix = client_id .. ":"
  for key in pairs(active) do
    if key:sub(1, #prefix) == prefix then
      active[key] = nil
    end
  end
end

local function is_ripple(client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  return client ~= nil and client.name == NAME
end

-- 0.10+: listen to LspProgress, which Neovim fires for every client's $/progress.
function M.listen(group)
  vim.api.nvim_create_autocmd("LspProgress", {
    group = group,
    desc = "ripple: show indexing progress",
    callback = function(args)
      local data = args.data or {}
      -- Development builds before 0.10.0 named the field `result`.
      local params = data.params or data.result
      if params and is_ripple(data.client_id) then
        M.handle(data.client_id, params.token, params.value)
      end
    end,
  })
end

-- 0.7-0.9: a $/progress handler for ripple's clients only. It calls Neovim's own handler
-- first, so `User LspProgressUpdate` and get_progress_messages() go on working.
function M.handler()
  return function(err, result, ctx, config)
    local default = vim.lsp.handlers["$/progress"]
    local returned
    if default then
      returned = default(err, result, ctx, config)
    end
    if result then
      M.handle(ctx.client_id, result.token, result.value)
    end
    return returned
  end
end

-- Whether setup() should use M.listen (else each client gets M.handler).
function M.uses_event()
  return compat.has_progress_event()
end

return M
