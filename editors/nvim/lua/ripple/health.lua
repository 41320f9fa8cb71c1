-- :checkhealth ripple
local compat = require("ripple.compat")

local M = {}

function M.check()
  local health = compat.health()
  health.start("ripple")

  local version = vim.version()
  health.info(("Neovim %d.%d.%d: starting the server with the %q path"):format(
    version.major,
    version.minor,
    version.patch,
    require("ripple.server").strategy() or compat.default_strategy()
  ))

  local options = require("ripple").options()
  if not options then
    health.warn("require('ripple').setup() has not been called", {
      "Add require('ripple').setup({}) to your init.lua",
    })
    options = require("ripple.config").resolve({})
  end

  local program = options.cmd[1]
  if vim.fn.executable(program) ~= 1 then
    health.error(("cannot run %q"):format(program), {
      "Install ripple (scripts/install-and-demo in its repository) and put it on PATH",
      "or pass cmd = { '/path/to/ripple', 'lsp', '--stdio' } to setup()",
    })
  else
    local output = vim.fn.system({ program, "--version" })
    if vim.v.shell_error == 0 then
      health.ok(("%s (%s)"):format(vim.trim(output), vim.fn.exepath(program)))
    else
      health.warn(("%q --version failed: %s"):format(program, vim.trim(output)))
    end
  end

  local clients = require("ripple").clients()
  if #clients == 0 then
    health.info("no ripple server is running")
  end
  for _, client in ipairs(clients) do
    local root = client.config.root_dir or "files outside any workspace"
    health.ok(("server %d running for %s"):format(client.id, root))
  end
end

return M
