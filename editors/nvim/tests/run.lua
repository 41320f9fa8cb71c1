-- Runs tests/cases.lua inside a headless Neovim and exits with its verdict:
--   nvim --headless -u NONE -i NONE -n -c "luafile tests/run.lua"
-- scripts/test.sh sets the environment: PATH with a `ripple` on it, RIPPLE_TEST_OUT (a folder
-- for the workspace and logs), and optionally RIPPLE_TEST_STRATEGY.
local plugin_root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")
vim.opt.runtimepath:prepend(plugin_root)
package.path = plugin_root .. "/tests/?.lua;" .. package.path
-- -u NONE leaves filetype detection off, and the plugin attaches on FileType.
vim.cmd("filetype on")
vim.o.hidden = true
if vim.env.RIPPLE_TEST_LSP_LOG and vim.env.RIPPLE_TEST_LSP_LOG ~= "" then
  -- For debugging a failure: Neovim's side of the conversation, in its lsp.log.
  vim.lsp.set_log_level(vim.env.RIPPLE_TEST_LSP_LOG)
end

local function say(line)
  io.stdout:write(line, "\n")
  io.stdout:flush()
end

local function run()
  local cases = require("cases")
  local version = vim.version()
  say(("ripple.nvim tests on Neovim %d.%d.%d (%s)"):format(
    version.major,
    version.minor,
    version.patch,
    cases.strategy_label()
  ))
  local passed, failed = 0, 0
  for index, case in ipairs(cases.list) do
    local started = (vim.uv or vim.loop).hrtime()
    local ok, err = xpcall(case.run, debug.traceback)
    local ms = ((vim.uv or vim.loop).hrtime() - started) / 1e6
    if ok then
      passed = passed + 1
      say(("ok %d - %s (%.0f ms)"):format(index, case.name, ms))
    else
      failed = failed + 1
      say(("not ok %d - %s (%.0f ms)"):format(index, case.name, ms))
      say("  " .. tostring(err):gsub("\n", "\n  "))
      say("  state: " .. cases.describe_state():gsub("\n", "\n  "))
      if case.essential then
        say("  (later tests depend on this one: stopping)")
        break
      end
    end
  end
  local skipped = #cases.list - passed - failed
  if skipped > 0 then
    say(("%d passed, %d failed, %d skipped"):format(passed, failed, skipped))
  else
    say(("%d passed, %d failed"):format(passed, failed))
  end
  return failed == 0 and skipped == 0
end

local function main()
  local ok, result = xpcall(run, debug.traceback)
  if not ok then
    say("the test runner failed: " .. tostring(result))
  end
  -- Give the servers a moment to exit cleanly, so no process outlives the run.
  pcall(function()
    for _, client in ipairs(require("ripple").clients()) do
      require("ripple.compat").call(client, "stop")
    end
    vim.wait(3000, function()
      return #require("ripple").clients() == 0
    end, 20)
  end)
  if ok and result then
    vim.cmd("qall!")
  else
    vim.cmd("cquit 1")
  end
end

-- After VimEnter, as in a user's session (vim.v.vim_did_enter is 1 then).
if vim.v.vim_did_enter == 1 then
  vim.schedule(main)
else
  vim.api.nvim_create_autocmd("VimEnter", {
    once = true,
    callback = function()
      vim.schedule(main)
    end,
  })
end
