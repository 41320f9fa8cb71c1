-- Differences between the Neovim versions ripple supports (0.7 and later), in one place, so
-- the rest of the plugin can be written once.
local M = {}

local function has(feature)
  return vim.fn.has(feature) == 1
end

M.is_0_8 = has("nvim-0.8")
M.is_0_10 = has("nvim-0.10")
M.is_0_11 = has("nvim-0.11")

M.uv = vim.uv or vim.loop

-- How the client gets started:
--   "config"       vim.lsp.config + vim.lsp.enable (0.11+): Neovim attaches buffers itself.
--   "start"        vim.lsp.start from our FileType autocmd (0.8-0.10); it reuses a client with
--                  the same name and root.
--   "start_client" vim.lsp.start_client + buf_attach_client (0.7), with our own client reuse.
function M.default_strategy()
  if M.is_0_11 then
    return "config"
  elseif M.is_0_8 then
    return "start"
  end
  return "start_client"
end

-- Whether a strategy can work on this Neovim at all (tests force older strategies on 0.11).
function M.strategy_available(strategy)
  if strategy == "config" then
    return M.is_0_11
  elseif strategy == "start" then
    return M.is_0_8
  end
  return strategy == "start_client"
end

-- Since 0.11 client methods take self (`client:stop()`); the dot form warns as deprecated.
-- Before 0.11 they are closures over the client and must be called with a dot.
function M.call(client, method, ...)
  if M.is_0_11 then
    return client[method](client, ...)
  end
  return client[method](...)
end

-- Clients whose name is `name`, optionally only those attached to `bufnr`.
function M.get_clients(name, bufnr)
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients()
  else
    all = vim.lsp.get_active_clients()
  end
  local found = {}
  for _, client in pairs(all) do
    if client.name == name and (bufnr == nil or vim.lsp.buf_is_attached(bufnr, client.id)) then
      table.insert(found, client)
    end
  end
  table.sort(found, function(a, b)
    return a.id < b.id
  end)
  return found
end

function M.is_stopped(client)
  return M.call(client, "is_stopped")
end

-- LspProgress (0.10+) carries every $/progress notification as an autocmd; older versions
-- only fire `User LspProgressUpdate` without saying which client or token changed.
function M.has_progress_event()
  return vim.fn.exists("##LspProgress") == 1
end

-- :checkhealth reporting: vim.health.start/ok/... from 0.10, report_start/report_ok/... before,
-- on vim.health from 0.9 and on the `health` module before that.
function M.health()
  local health = vim.health or require("health")
  return {
    start = health.start or health.report_start,
    ok = health.ok or health.report_ok,
    warn = health.warn or health.report_warn,
    error = health.error or health.report_error,
    info = health.info or health.report_info,
  }
end

return M
