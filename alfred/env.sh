# Sourced by every script of the KVSplit Alfred workflow. Alfred runs scripts with a bare PATH
# (/usr/bin:/bin:/usr/sbin:/sbin), so node is looked for where installers put it, after the configured folder.
PATH="${node_dir:+$node_dir:}/opt/homebrew/bin:/usr/local/bin:$PATH"
export PATH

# kvsplit with the server settings from the workflow's configuration (empty settings keep kvsplit's defaults)
kvsplit() {
  "${kvsplit_bin:-kvsplit}" "$@" ${kvsplit_port:+--port "$kvsplit_port"} ${kvsplit_model:+--model "$kvsplit_model"} \
    ${kvsplit_server_bin:+--server-bin "$kvsplit_server_bin"}
}
