-- The user's options: defaults, validation, and what they turn into for the LSP client.
local M = {}

M.NAME = "ripple"

M.defaults = {
  cmd = { "ripple", "lsp", "--stdio" },
  -- "open-files": diagnostics for the buffers you have open; "workspace": for every file.
  diagnostic_mode = "open-files",
  -- Sets RIPPLE_LOG for the server ("error", "warn", "info", "debug", "trace", or a filter
  -- such as "ripple_server=debug"); nil keeps the server's default (warn).
  log_level = nil,
  -- Server log file (--log-file); nil sends the log to stderr, which Neovim puts in lsp.log.
  log_file = nil,
  -- The nearest folder holding any of these is the workspace root, as `ripple check` decides.
  root_markers = { "ripple.toml", "pyproject.toml", "setup.py", ".git" },
  filetypes = { "python" },
  on_attach = nil,
  -- Merged over Neovim's own client capabilities (pass your completion plugin's here).
  capabilities = nil,
  -- More initializationOptions; `diagnostic_mode` sets diagnosticMode.
  init_options = nil,
  -- true: echo indexing progress; false: quiet (use ripple.status() in a statusline);
  -- a function: called with each progress event instead of the echo.
  progress = true,
}

-- Allowed types per option; "list" means a table of strings.
local schema = {
  cmd = { "list" },
  diagnostic_mode = { "string" },
  log_level = { "string", "nil" },
  log_file = { "string", "nil" },
  root_markers = { "list" },
  filetypes = { "list" },
  on_attach = { "function", "nil" },
  capabilities = { "table", "nil" },
  init_options = { "table", "nil" },
  progress = { "boolean", "function" },
  -- Internal: which start-up path to use (tests cover the 0.8-0.10 path on 0.11 with it).
  _strategy = { "string", "nil" },
}

local DIAGNOSTIC_MODES = { ["open-files"] = true, workspace = true }

local function is_list_of_strings(value)
  if type(value) ~= "table" or #value == 0 then
    return false
  end
  for _, item in ipairs(value) do
    if type(item) ~= "string" then
      return false
    end
  end
  return true
end

local function type_ok(value, allowed)
  for _, kind in ipairs(allowed) do
    if kind == "list" and is_list_of_strings(value) then
      return true
    elseif type(value) == kind then
      return true
    end
  end
  return false
end

-- Returns the defaults overridden by `opts`, or raises an error naming the bad option, so a
-- typo fails at setup() rather than as a server that never starts.
function M.resolve(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("ripple.setup: expected a table of options, got " .. type(opts), 0)
  end
  for key in pairs(opts) do
    if schema[key] == nil then
      error(("ripple.setup: unknown option '%s'"):format(tostring(key)), 0)
    end
  end
  local resolved = {}
  for key, allowed in pairs(schema) do
    local value = opts[key]
    if value == nil then
      value = vim.deepcopy(M.defaults[key])
    end
    if not type_ok(value, allowed) then
      error(
        ("ripple.setup: option '%s' should be %s, got %s"):format(
          key,
          (table.concat(allowed, " or "):gsub("list", "a list of strings")),
          vim.inspect(value)
        ),
        0
      )
    end
    resolved[key] = value
  end
  if not DIAGNOSTIC_MODES[resolved.diagnostic_mode] then
    error(
      ("ripple.setup: diagnostic_mode should be \"open-files\" or \"workspace\", got %q"):format(
        resolved.diagnostic_mode
      ),
      0
    )
  end
  return resolved
end

function M.command(options)
  local cmd = vim.deepcopy(options.cmd)
  if options.log_file then
    table.insert(cmd, "--log-file")
    table.insert(cmd, vim.fn.expand(options.log_file))
  end
  return cmd
end

function M.init_options(options)
  local init = vim.deepcopy(options.init_options or {})
  init.diagnosticMode = options.diagnostic_mode
  return init
end

function M.capabilities(options)
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  if options.capabilities then
    capabilities = vim.tbl_deep_extend("force", capabilities, options.capabilities)
  end
  -- The server only reports progress to clients that say they show it.
  capabilities.window = capabilities.window or {}
  capabilities.window.workDoneProgress = true
  -- Diagnostics are pushed, never pulled, on every version. Neovim 0.10+ would pull, but only
  -- for visible buffers and when it edits them: the server sends no refresh when another file
  -- changes what a buffer imports, pulls nothing for unopened files in workspace mode, and a
  -- restarted client shows nothing until the next edit. vim.NIL rather than nil, because 0.11
  -- merges these capabilities over its defaults, and a nil would bring the default back.
  if capabilities.textDocument then
    capabilities.textDocument.diagnostic = vim.NIL
  end
  return capabilities
end

function M.cmd_env(options)
  if options.log_level then
    return { RIPPLE_LOG = options.log_level }
  end
  return nil
end

return M
