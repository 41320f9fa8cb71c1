-- Small test helpers: a fixture workspace, polling, assertions, and recorders for what the
-- plugin shows (echo, notify) so tests can read it.
local M = {}

local uv = vim.uv or vim.loop

-- Generous: a debug build of the server on a busy two-core CI machine.
M.TIMEOUT_MS = tonumber(vim.env.RIPPLE_TEST_TIMEOUT_MS or "") or 30000

function M.write_file(path, text)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ":h"), "p")
  local file = assert(io.open(path, "w"))
  file:write(text)
  file:close()
end

function M.realpath(path)
  return uv.fs_realpath(path) or path
end

-- A workspace with known problems. app.py has, by line (0-based):
--   0 `import os`           unused-import
--   1 `import notamodule`   unresolved-import
--   6 `undefined_thing`     undefined-name
-- other.py's unused `import sys` shows only in workspace mode, as nobody opens it.
M.APP_PY = table.concat({
  "import os",
  "import notamodule",
  "from pkg.util import helper",
  "",
  "",
  "def main():",
  "    return helper(notamodule.VALUE, undefined_thing)",
  "",
}, "\n")

-- A second project beside the first, with its own root marker, and one clean file.
function M.make_second_project(dir)
  M.write_file(dir .. "/pyproject.toml", "[project]\nname = 'second'\n")
  M.write_file(dir .. "/tool.py", "def run():\n    return 1\n")
  return M.realpath(dir)
end

function M.make_workspace(dir)
  vim.fn.mkdir(dir, "p")
  M.write_file(dir .. "/ripple.toml", "# the Neovim plugin's test workspace\n")
  M.write_file(dir .. "/pkg/__init__.py", "")
  M.write_file(dir .. "/pkg/util.py", "def helper(*args):\n    return args\n")
  M.write_file(dir .. "/app.py", M.APP_PY)
  M.write_file(dir .. "/other.py", "import sys\n")
  M.write_file(dir .. "/notes.txt", "not python\n")
  return M.realpath(dir)
end

-- Polls until cond() returns a truthy value, which it returns; raises "timed out waiting for
-- <what>" otherwise, with the last thing cond said (its second return value) if any.
function M.wait_for(what, cond, timeout)
  local value, detail
  local ok = vim.wait(timeout or M.TIMEOUT_MS, function()
    value, detail = cond()
    return value and true or false
  end, 20)
  if not ok then
    local said = detail and (" (" .. tostring(detail) .. ")") or ""
    error(("timed out waiting for %s%s"):format(what, said), 2)
  end
  return value
end

-- Runs what is already scheduled (vim.schedule runs callbacks in order).
function M.flush()
  local done = false
  vim.schedule(function()
    done = true
  end)
  M.wait_for("scheduled callbacks to run", function()
    return done
  end)
end

function M.eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    local message = ("%s: expected %s, got %s"):format(
      what or "value",
      vim.inspect(expected),
      vim.inspect(actual)
    )
    error(message, 2)
  end
end

function M.truthy(value, what)
  if not value then
    error(("expected %s"):format(what), 2)
  end
  return value
end

function M.contains(haystack, needle, what)
  if type(haystack) ~= "string" or not haystack:find(needle, 1, true) then
    local message = ("%s: expected %s to contain %q"):format(
      what or "text",
      vim.inspect(haystack),
      needle
    )
    error(message, 2)
  end
end

-- LSP diagnostic codes arrive as d.code from 0.7 on; user_data.lsp.code is the older spelling.
local function code_of(diagnostic)
  if diagnostic.code then
    return diagnostic.code
  end
  local data = diagnostic.user_data and diagnostic.user_data.lsp
  return data and data.code
end

-- ripple's diagnostics in a buffer as "line:code" strings, sorted.
function M.diagnostics(bufnr)
  local found = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    if diagnostic.source == "ripple" then
      table.insert(found, ("%d:%s"):format(diagnostic.lnum, tostring(code_of(diagnostic))))
    end
  end
  table.sort(found)
  return found
end

-- Waits until a buffer's ripple diagnostics are exactly `expected` ("line:code", sorted).
function M.wait_for_diagnostics(bufnr, expected)
  M.wait_for("diagnostics " .. vim.inspect(expected), function()
    local found = M.diagnostics(bufnr)
    return vim.deep_equal(found, expected), "have " .. vim.inspect(found)
  end)
end

function M.find_diagnostic(bufnr, code)
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    if code_of(diagnostic) == code then
      return diagnostic
    end
  end
end

-- Records every call to a function of `tbl` (still calling the real one unless `quiet`).
function M.record(tbl, name, quiet)
  local calls = {}
  local real = tbl[name]
  tbl[name] = function(...)
    table.insert(calls, { ... })
    if not quiet then
      return real(...)
    end
  end
  return calls, function()
    tbl[name] = real
  end
end

function M.floating_windows()
  local floats = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then
      table.insert(floats, win)
    end
  end
  return floats
end

function M.tail(path, lines)
  local file = io.open(path, "r")
  if not file then
    return "(no " .. path .. ")"
  end
  local all = {}
  for line in file:lines() do
    table.insert(all, line)
  end
  file:close()
  local first = math.max(1, #all - (lines or 20) + 1)
  return table.concat(all, "\n", first)
end

return M
