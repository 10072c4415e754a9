#!/bin/bash
# The Text View's script (Alfred runs it from the workflow folder with the question as $1): see chat-view.mjs.
. ./env.sh
exec node ./chat-view.mjs "$1"
