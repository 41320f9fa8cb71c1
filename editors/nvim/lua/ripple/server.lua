-- Starting, attaching and restarting ripple's language server, the one part of the plugin that
-- differs most between Neovim versions (see compat.default_strategy).
local compat = require("ripple.compat")
local config = require("ripple.config")
local progress = require("ripple.progress")
local root = require("ripple.root")

local M = {}

local NAME = config.NAME

-- The resolved options of the last setup(), and how clients are started.
local options
local strategy
-- "start_client" only (0.7 has no vim.lsp.start): the client of each root, "" for no root.
local client_by_root = {}
-- A missing executable is said once per setup() or restart, not once per buffer.
local warned_missing = false

local function executable_found()
  local program = options.cmd[1]
  if vim.fn.executable(program) == 1 then
    return true
  end
  if not warned_missing then
    warned_missing = true
    local message = "ripple: cannot run %q; install ripple and put it on PATH, or pass"
      .. " cmd = { '/path/to/ripple', 'lsp', '--stdio' } to require('ripple').setup()"
    vim.notify(message:format(program), vim.log.levels.WARN)
  end
  return false
end

local function wanted(bufnr)
  return vim.api.nvim_buf_is_loaded(bufnr)
    and vim.tbl_contains(options.filetypes, vim.bo[bufnr].filetype)
    and root.buffer_file(bufnr) ~= nil
end

-- What every strategy passes to Neovim's client.
local function client_config(root_dir)
  local client = {
    name = NAME,
    cmd = config.command(options),
    cmd_env = config.cmd_env(options),
    root_dir = root_dir,
    init_options = config.init_options(options),
    capabilities = config.capabilities(options),
    on_attach = options.on_attach,
    on_exit = function(_, _, client_id)
      progress.forget_client(client_id)
    end,
  }
  if not progress.uses_event() then
    client.handlers = { ["$/progress"] = progress.handler() }
  end
  return client
end

local function attach_with_start_client(bufnr, root_dir)
  local key = root_dir or ""
  local id = client_by_root[key]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or compat.is_stopped(client) then
    id = vim.lsp.start_client(client_config(root_dir))
    if not id then
      return nil
    end
    client_by_root[key] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

local function attach_with_start(bufnr, root_dir)
  local id
  -- The first versions of vim.lsp.start attach the current buffer and know no opts.bufnr.
  vim.api.nvim_buf_call(bufnr, function()
    id = vim.lsp.start(client_config(root_dir), { bufnr = bufnr })
  end)
  return id
end

local function attach_with_config(bufnr, root_dir)
  -- The resolved config includes what the user added with vim.lsp.config('ripple', ...).
  local client = vim.deepcopy(vim.lsp.config[NAME])
  client.root_dir = root_dir
  return vim.lsp.start(client, { bufnr = bufnr })
end

-- Attaches ripple to a buffer if it is a file of a configured filetype; returns the client id.
function M.attach(bufnr)
  if not options or not wanted(bufnr) or not executable_found() then
    return nil
  end
  local root_dir = root.for_buffer(bufnr, options.root_markers)
  if strategy == "config" then
    return attach_with_config(bufnr, root_dir)
  elseif strategy == "start" then
    return attach_with_start(bufnr, root_dir)
  end
  return attach_with_start_client(bufnr, root_dir)
end

-- Returns the ids of the clients now attached, in the order first seen.
local function attach_loaded_buffers()
  local ids, seen = {}, {}
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    local id = M.attach(bufnr)
    if id and not seen[id] then
      seen[id] = true
      table.insert(ids, id)
    end
  end
  return ids
end

function M.register(resolved)
  options = resolved
  strategy = resolved._strategy or compat.default_strategy()
  if not compat.strategy_available(strategy) then
    error(("ripple.setup: strategy %q needs a newer Neovim"):format(strategy), 0)
  end
  warned_missing = false
  -- Said now, as on 0.11 Neovim itself declines a config whose cmd is not executable and only
  -- writes that in lsp.log.
  executable_found()
  progress.set_display(resolved.progress)

  local group = vim.api.nvim_create_augroup("ripple", { clear = true })
  if progress.uses_event() then
    progress.listen(group)
  end

  if strategy == "config" then
    local client = client_config(nil)
    client.filetypes = options.filetypes
    client.root_markers = options.root_markers
    -- A function rather than root_markers alone: it declines buffers that are not files, and
    -- a missing executable gets our message instead of a spawn error per buffer.
    client.root_dir = function(bufnr, on_dir)
      if wanted(bufnr) and executable_found() then
        on_dir(root.for_buffer(bufnr, options.root_markers))
      end
    end
    -- Assignment, not vim.lsp.config(): a second setup() replaces the first instead of
    -- merging lists such as cmd element by element.
    vim.lsp.config[NAME] = client
    vim.lsp.enable(NAME)
    if vim.v.vim_did_enter ~= 1 then
      -- vim.lsp.enable only looks at existing buffers once Neovim has started.
      attach_loaded_buffers()
    end
  else
    if compat.is_0_11 and vim.lsp.is_enabled(NAME) then
      -- An earlier setup() used the 0.11 path; two paths would start two clients.
      vim.lsp.enable(NAME, false)
    end
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = options.filetypes,
      desc = "ripple: attach the language server",
      callback = function(args)
        M.attach(args.buf)
      end,
    })
    attach_loaded_buffers()
  end
end

function M.clients(bufnr)
  return compat.get_clients(NAME, bufnr)
end

-- Calls `callback` once every client in `clients` has exited, forcing the slow ones.
local function when_exited(clients, callback)
  local started = compat.uv.now()
  local forced = false
  local finished = false
  local timer = compat.uv.new_timer()
  timer:start(
    0,
    50,
    vim.schedule_wrap(function()
      if finished then
        return
      end
      compat.uv.update_time()
      local elapsed = compat.uv.now() - started
      local running = {}
      for _, client in ipairs(clients) do
        if vim.lsp.get_client_by_id(client.id) then
          table.insert(running, client)
        end
      end
      if #running > 0 and elapsed > 3000 and not forced then
        forced = true
        for _, client in ipairs(running) do
          compat.call(client, "stop", true)
        end
      end
      if #running == 0 or elapsed > 8000 then
        finished = true
        timer:stop()
        timer:close()
        callback()
      end
    end)
  )
end

-- Stops ripple's clients, waits for them to exit, and attaches the buffers again: a fresh
-- server, with the options of the last setup(). on_done(client_ids) gets the new clients.
function M.restart(on_done)
  if not options then
    error("ripple: call require('ripple').setup() first", 0)
  end
  local old = M.clients()
  for _, client in ipairs(old) do
    compat.call(client, "stop")
  end
  client_by_root = {}
  warned_missing = false
  when_exited(old, function()
    -- Ids rather than M.clients(): a client still initializing is not listed there yet.
    local ids = attach_loaded_buffers()
    if on_done then
      on_done(ids)
    end
  end)
end

function M.options()
  return options
end

function M.strategy()
  return strategy
end

return M
