# mail/module.mk
# ==== mail: MIME composition, outbox, SMTP (libesmtp), Maildir (owner: mail) ==
# MAIL_OBJ is the library part (compose, outbox, transports); the proposal
# layer links it.  `headroom mail` is $(MAIL_CMD_OBJ).  Link with
# $(MAIL_LIBS).
MAIL_OBJ     := $(B)/mail/mime.o $(B)/mail/outbox.o $(B)/mail/smtp.o $(B)/mail/maildir.o
MAIL_CMD_OBJ := $(B)/mail/cmd_mail.o
# smtp.c gives libesmtp an SSL_CTX of its own (see there); libssl-dev comes
# with libesmtp-dev.
MAIL_LIBS    := $(ESMTP_LIBS) $(shell pkg-config --libs openssl 2>/dev/null) $(SQL_LIBS)

HEADROOM_OBJ  += $(MAIL_CMD_OBJ) $(MAIL_OBJ)
HEADROOM_LIBS += $(MAIL_LIBS)

$(B)/mail/%.o: ALL_CFLAGS += -I$(TOP)/cli -I$(TOP)/db
$(B)/tests/mail/%.o: ALL_CFLAGS += -I$(TOP)/mail -I$(TOP)/db

$(B)/tests/test_mail_mime: $(B)/tests/mail/test_mime.o $(MAIL_OBJ) $(DB_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MAIL_LIBS)
$(B)/tests/test_mail_outbox: $(B)/tests/mail/test_outbox.o $(MAIL_OBJ) $(DB_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MAIL_LIBS)
TEST_BINS += $(B)/tests/test_mail_mime $(B)/tests/test_mail_outbox

.PHONY: install-mail
install-mail:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 docs/mail.md $(DESTDIR)$(DOCDIR)/mail.md
INSTALL_TARGETS += install-mail
# ==== end mail ===============================================================
