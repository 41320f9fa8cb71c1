-- The `ripple/stats` request and its display as a table of labelled numbers.
local compat = require("ripple.compat")

local M = {}

local function format_ms(value)
  return ("%.1f ms"):format(value)
end

local function format_bytes(value)
  local units = { "B", "KiB", "MiB", "GiB" }
  local size, unit = value, 1
  while size >= 1024 and unit < #units do
    size = size / 1024
    unit = unit + 1
  end
  if unit == 1 then
    return ("%d B"):format(size)
  end
  return ("%.1f %s"):format(size, units[unit])
end

local function format_parses(value)
  if type(value) ~= "table" then
    return tostring(value)
  end
  return ("%s full, %s incremental"):format(
    tostring(value.full or 0),
    tostring(value.incremental or 0)
  )
end

-- Known fields, in the order a reader wants them; anything else the server adds is shown after
-- them as it comes, so a newer server needs no plugin update.
local FIELDS = {
  { key = "files", label = "files indexed" },
  { key = "openDocuments", label = "open documents" },
  { key = "edits", label = "edits" },
  { key = "lastEditLatencyMs", label = "last edit latency", format = format_ms },
  { key = "workspaceLoads", label = "workspace loads" },
  { key = "memoryBytes", label = "memory", format = format_bytes },
  { key = "parses", label = "parses", format = format_parses },
  { key = "queries", label = "queries (total)" },
  { key = "lastEditQueries", label = "queries (last edit)" },
}

local function sorted_keys(tbl)
  local keys = vim.tbl_keys(tbl)
  table.sort(keys, function(a, b)
    return tostring(a) < tostring(b)
  end)
  return keys
end

local function scalar(value)
  if value == nil or value == vim.NIL then
    return "-"
  elseif type(value) == "number" and value ~= math.floor(value) then
    return ("%.2f"):format(value)
  end
  return tostring(value)
end

local function add_field(lines, label, value, format)
  local pad = 22
  if value == nil or value == vim.NIL then
    table.insert(lines, ("  %-" .. pad .. "s %s"):format(label, "-"))
  elseif format then
    table.insert(lines, ("  %-" .. pad .. "s %s"):format(label, format(value)))
  elseif type(value) == "table" then
    if vim.tbl_isempty(value) then
      table.insert(lines, ("  %-" .. pad .. "s %s"):format(label, "none"))
    else
      table.insert(lines, "  " .. label)
      for _, key in ipairs(sorted_keys(value)) do
        table.insert(lines, ("    %-" .. (pad - 2) .. "s %s"):format(key, scalar(value[key])))
      end
    end
  else
    table.insert(lines, ("  %-" .. pad .. "s %s"):format(label, scalar(value)))
  end
end

-- The lines shown for one client's answer.
function M.format(stats, client)
  local lines = {}
  local heading = "ripple stats"
  if client then
    local root = client.config and client.config.root_dir
    heading = ("ripple stats (client %d%s)"):format(client.id, root and (", " .. root) or "")
  end
  table.insert(lines, heading)
  if type(stats) ~= "table" then
    table.insert(lines, "  " .. vim.inspect(stats))
    return lines
  end
  local shown = {}
  for _, field in ipairs(FIELDS) do
    if stats[field.key] ~= nil then
      add_field(lines, field.label, stats[field.key], field.format)
      shown[field.key] = true
    end
  end
  for _, key in ipairs(sorted_keys(stats)) do
    if not shown[key] then
      add_field(lines, key, stats[key])
    end
  end
  return lines
end

-- Asks one client; callback(err, stats).
function M.request(client, callback)
  local ok, sent = pcall(compat.call, client, "request", "ripple/stats", nil, function(err, result)
    callback(err, result)
  end)
  if not ok or sent == false then
    callback({ message = ok and "the server is not running" or tostring(sent) }, nil)
  end
end

local function close_window(win)
  if vim.api.nvim_win_is_valid(win) then
    vim.api.nvim_win_close(win, true)
  end
end

-- Shows `lines` in a centred float that q or <Esc> closes, as does leaving it. Returns the
-- window, or nil where no float could be opened (the caller then echoes).
function M.open_float(lines)
  local padded, width = {}, 0
  for _, line in ipairs(lines) do
    -- A margin inside the border on either side.
    table.insert(padded, line == "" and "" or (" " .. line))
    width = math.max(width, vim.fn.strdisplaywidth(line) + 2)
  end
  lines = padded
  width = math.min(width, math.max(vim.o.columns - 4, 20))
  local height = math.min(#lines, math.max(vim.o.lines - 4, 3))
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].filetype = "ripplestats"
  local ok, win = pcall(vim.api.nvim_open_win, buf, true, {
    relative = "editor",
    row = math.floor((vim.o.lines - height) / 2) - 1,
    col = math.floor((vim.o.columns - width) / 2),
    width = width,
    height = height,
    style = "minimal",
    border = "rounded",
  })
  if not ok then
    vim.api.nvim_buf_delete(buf, { force = true })
    return nil
  end
  for _, key in ipairs({ "q", "<Esc>" }) do
    vim.api.nvim_buf_set_keymap(buf, "n", key, "", {
      nowait = true,
      noremap = true,
      silent = true,
      callback = function()
        close_window(win)
      end,
    })
  end
  vim.api.nvim_create_autocmd("BufLeave", {
    buffer = buf,
    once = true,
    callback = function()
      -- Closing a window while Neovim is leaving it is refused; close it right after.
      vim.schedule(function()
        close_window(win)
      end)
    end,
  })
  return win
end

return M
