-- ripple for Neovim: runs `ripple lsp` for Python buffers, shows its indexing progress, and
-- adds :RippleStats and :RippleRestart. Everything starts from require("ripple").setup().
local config = require("ripple.config")
local progress = require("ripple.progress")
local server = require("ripple.server")
local stats = require("ripple.stats")

local M = {}

local function notify(message, level)
  vim.notify("ripple: " .. message, level or vim.log.levels.INFO)
end

local function define_commands()
  vim.api.nvim_create_user_command("RippleStats", function()
    M.show_stats()
  end, { desc = "Show the ripple server's statistics" })
  vim.api.nvim_create_user_command("RippleRestart", function()
    M.restart(function(ids)
      notify(("restarted (%d server%s running)"):format(#ids, #ids == 1 and "" or "s"))
    end)
  end, { desc = "Restart the ripple language server" })
end

--- Registers the server for the configured filetypes; see :help ripple-options.
--- Calling it again replaces the options; :RippleRestart applies them to running servers.
function M.setup(opts)
  server.register(config.resolve(opts))
  define_commands()
end

--- Restarts every ripple server; on_done(client_ids) runs once the new ones are attached.
function M.restart(on_done)
  server.restart(on_done)
end

--- The ripple clients attached to `bufnr`, or all of them when bufnr is nil.
function M.clients(bufnr)
  return server.clients(bufnr)
end

-- Clients for a stats request: the current buffer's, else every running one.
local function stats_clients()
  local clients = server.clients(vim.api.nvim_get_current_buf())
  if #clients == 0 then
    clients = server.clients()
  end
  return clients
end

--- Asks the servers for `ripple/stats`. callback(results) gets, per client,
--- { client = client, stats = table } or { client = client, err = error }.
--- Returns false (and does not call back) when no server is running.
function M.stats(callback)
  local clients = stats_clients()
  if #clients == 0 then
    return false
  end
  local results, pending = {}, #clients
  for index, client in ipairs(clients) do
    stats.request(client, function(err, result)
      results[index] = { client = client, stats = result, err = err }
      pending = pending - 1
      if pending == 0 then
        callback(results)
      end
    end)
  end
  return true
end

--- :RippleStats: the answers in a float (closed with q), or echoed where no float opens.
function M.show_stats()
  local asked = M.stats(function(results)
    local lines = {}
    for _, answer in ipairs(results) do
      if #lines > 0 then
        table.insert(lines, "")
      end
      if answer.err then
        local message = type(answer.err) == "table" and answer.err.message or tostring(answer.err)
        table.insert(lines, ("ripple stats (client %d): %s"):format(answer.client.id, message))
      else
        vim.list_extend(lines, stats.format(answer.stats, answer.client))
      end
    end
    if not stats.open_float(lines) then
      vim.api.nvim_echo({ { table.concat(lines, "\n") } }, true, {})
    end
  end)
  if not asked then
    notify("no server is running (open a Python file, or run :RippleRestart)", vim.log.levels.WARN)
  end
end

--- The progress under way, for a statusline ("" when idle).
function M.status()
  return progress.status()
end

--- The options in force (after defaults), or nil before setup().
function M.options()
  return server.options()
end

return M
