# The sample application: greets in capitals with textkit. Usage: sh main.sh dev|prod
here=$(dirname "$0")
. "$here/$1.env"
. "$here/lib/textkit-$TEXTKIT.sh"
[ -f "$here/shims.sh" ] && . "$here/shims.sh"
shout "hello, godwit"
