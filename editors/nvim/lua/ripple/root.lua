-- Workspace root detection, written out rather than taken from vim.fs (0.8+) or vim.fs.root
-- (0.10+) so that every Neovim version picks the same root.
local compat = require("ripple.compat")

local M = {}

-- The file a buffer edits, or nil for buffers that are not plain files on disk (help, terminals,
-- scratch buffers, fugitive:// and other URL-like names): the server can only check files.
function M.buffer_file(bufnr)
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or name:match("^%a[%w+.-]*://") then
    return nil
  end
  return vim.fn.fnamemodify(name, ":p")
end

-- The nearest folder at or above `path`'s folder holding one of `markers`, or nil. Nil makes
-- the server fall back on its own rule for loose files, which does not walk a home folder.
function M.find(path, markers)
  local dir = vim.fn.fnamemodify(path, ":h")
  while true do
    for _, marker in ipairs(markers) do
      if compat.uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

function M.for_buffer(bufnr, markers)
  local path = M.buffer_file(bufnr)
  return path and M.find(path, markers)
end

return M
