# Signing checkpoints outside the database, as the anchor service does
# (docs/log.md, "Signatures"): an Ed25519 key made by the openssl command,
# its C2SP verifier key and signed notes computed by Python.  Sourced by the
# log's suites.

# log_keygen KEYFILE PUBFILE: a new Ed25519 key and its raw 32-byte public key
log_keygen() {
	openssl genpkey -algorithm ed25519 -out "$1" 2>/dev/null
	openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | tail -c 32 >"$2"
}

# vkey NAME PUBFILE: the C2SP verifier key
vkey() {
	python3 -c "import base64,hashlib,sys; n=sys.argv[1].encode(); p=open(sys.argv[2],'rb').read(); \
print('%s+%s+%s' % (sys.argv[1], hashlib.sha256(n+b'\n\x01'+p).digest()[:4].hex(), base64.b64encode(b'\x01'+p).decode()))" "$1" "$2"
}

# sign NAME KEYFILE PUBFILE TEXTFILE: the signed note
sign() {
	openssl pkeyutl -sign -inkey "$2" -rawin -in "$4" -out "$4.sig" 2>/dev/null
	python3 -c "import base64,hashlib,sys; n=sys.argv[1].encode(); p=open(sys.argv[2],'rb').read(); t=open(sys.argv[3],'rb').read(); \
s=open(sys.argv[3]+'.sig','rb').read(); kid=hashlib.sha256(n+b'\n\x01'+p).digest()[:4]; \
sys.stdout.write(t.decode()+'\n\u2014 '+sys.argv[1]+' '+base64.b64encode(kid+s).decode()+'\n')" "$1" "$3" "$4"
}
