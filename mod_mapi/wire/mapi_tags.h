/*
 * mapi_tags.h: property tags ([MS-OXPROPS]) and error codes ([MS-OXCDATA]
 * 2.4) that the store and the ROP engine name.  Tags carry their type in
 * the low 16 bits; string tags are the PtypString (0x001F) form, and the
 * engine answers a PtypString8 request for them by conversion.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_TAGS_H
#define MAPI_TAGS_H

#define MAPI_TAG(id, type)   ((uint32_t)(((uint32_t)(id) << 16) | (type)))

/* ---- common ---------------------------------------------------------- */
#define PidTagAccess                     0x0FF40003u
#define PidTagAccessLevel                0x0FF70003u
#define PidTagChangeKey                  0x65E20102u
#define PidTagChangeNumber               0x67A40014u
#define PidTagCreationTime               0x30070040u
#define PidTagDisplayName                0x3001001Fu
#define PidTagEntryId                    0x0FFF0102u
#define PidTagInstanceKey                0x0FF60102u
#define PidTagLastModificationTime       0x30080040u
#define PidTagLastModifierName           0x3FFA001Fu
#define PidTagMappingSignature           0x0FF80102u
#define PidTagObjectType                 0x0FFE0003u
#define PidTagParentEntryId              0x0E090102u
#define PidTagParentSourceKey            0x65E10102u
#define PidTagPredecessorChangeList      0x65E30102u
#define PidTagRecordKey                  0x0FF90102u
#define PidTagSearchKey                  0x300B0102u
#define PidTagSourceKey                  0x65E00102u
#define PidTagStoreEntryId               0x0FFB0102u
#define PidTagStoreRecordKey             0x0FFA0102u
#define PidTagStoreSupportMask           0x340D0003u
#define PidTagInstID                     0x674D0014u
#define PidTagInstanceNum                0x674E0003u
#define PidTagRowType                    0x0FF50003u
#define PidTagDepth                      0x30050003u
#define PidTagLocalCommitTime            0x67090040u

/* ---- store (logon) object ------------------------------------------ */
#define PidTagStoreState                 0x340E0003u
#define PidTagMailboxOwnerEntryId        0x661B0102u
#define PidTagMailboxOwnerName           0x661C001Fu
#define PidTagUserEntryId                0x66190102u
#define PidTagOutOfOfficeState           0x661D000Bu
#define PidTagMessageSizeExtended        0x0E080014u
#define PidTagReplicaServer              0x6644001Fu
#define PidTagIpmSubtreeEntryId          0x35E00102u
#define PidTagIpmOutboxEntryId           0x35E20102u
#define PidTagIpmWastebasketEntryId      0x35E30102u
#define PidTagIpmSentMailEntryId         0x35E40102u
#define PidTagViewsEntryId               0x35E50102u
#define PidTagCommonViewsEntryId         0x35E60102u
#define PidTagFinderEntryId              0x35E70102u

/* ---- folders ---------------------------------------------------------- */
#define PidTagAssociatedContentCount     0x36170003u
#define PidTagAttributeHidden            0x10F4000Bu
#define PidTagAttributeReadOnly          0x10F6000Bu
#define PidTagComment                    0x3004001Fu
#define PidTagContainerClass             0x3613001Fu
#define PidTagContentCount               0x36020003u
#define PidTagContentUnreadCount         0x36030003u
#define PidTagDefaultPostMessageClass    0x36E5001Fu
#define PidTagDeletedOn                  0x668F0040u
#define PidTagExtendedFolderFlags        0x36DA0102u
#define PidTagFolderChildCount           0x66380003u
#define PidTagFolderId                   0x67480014u
#define PidTagFolderType                 0x36010003u
#define PidTagHierarchyChangeNumber      0x663E0003u
#define PidTagIpmAppointmentEntryId      0x36D00102u
#define PidTagIpmContactEntryId          0x36D10102u
#define PidTagIpmJournalEntryId          0x36D20102u
#define PidTagIpmNoteEntryId             0x36D30102u
#define PidTagIpmTaskEntryId             0x36D40102u
#define PidTagIpmDraftsEntryId           0x36D70102u
#define PidTagAdditionalRenEntryIds      0x36D81102u
#define PidTagFreeBusyEntryIds           0x36E41102u
#define PidTagParentFolderId             0x67490014u
#define PidTagRights                     0x66390003u
#define PidTagMemberId                   0x66710014u
#define PidTagMemberName                 0x6672001Fu
#define PidTagMemberRights               0x66730003u
#define PidTagCreatorEntryId             0x3FF90102u
#define PidTagSecurityDescriptorAsXml    0x0E6A001Fu
#define PidTagSubfolders                 0x360A000Bu

/* ---- messages --------------------------------------------------------- */
#define PidTagBody                       0x1000001Fu
#define PidTagClientSubmitTime           0x00390040u
#define PidTagConversationIndex          0x00710102u
#define PidTagConversationTopic          0x0070001Fu
#define PidTagDisplayBcc                 0x0E02001Fu
#define PidTagDisplayCc                  0x0E03001Fu
#define PidTagDisplayTo                  0x0E04001Fu
#define PidTagHasAttachments             0x0E1B000Bu
#define PidTagHtml                       0x10130102u
#define PidTagImportance                 0x00170003u
#define PidTagInternetCodepage           0x3FDE0003u
#define PidTagInternetMessageId          0x1035001Fu
#define PidTagMessageClass               0x001A001Fu
#define PidTagMessageCodepage            0x3FFD0003u
#define PidTagMessageDeliveryTime        0x0E060040u
#define PidTagMessageFlags               0x0E070003u
#define PidTagMessageLocaleId            0x3FF10003u
#define PidTagMessageSize                0x0E080003u
#define PidTagMessageStatus              0x0E170003u
#define PidTagMid                        0x674A0014u
#define PidTagNormalizedSubject          0x0E1D001Fu
#define PidTagRead                       0x0E69000Bu
#define PidTagReadReceiptRequested       0x0029000Bu
#define PidTagRtfCompressed              0x10090102u
#define PidTagSenderAddressType          0x0C1E001Fu
#define PidTagSenderEmailAddress         0x0C1F001Fu
#define PidTagSenderName                 0x0C1A001Fu
#define PidTagSensitivity                0x00360003u
#define PidTagSentRepresentingName       0x0042001Fu
#define PidTagSubject                    0x0037001Fu
#define PidTagSubjectPrefix              0x003D001Fu
#define PidTagTransportMessageHeaders    0x007D001Fu

/* PidTagMessageFlags bits ([MS-OXCMSG] 2.2.1.6). */
#define MSGFLAG_READ                     0x00000001u
#define MSGFLAG_UNMODIFIED               0x00000002u
#define MSGFLAG_SUBMIT                   0x00000004u
#define MSGFLAG_UNSENT                   0x00000008u
#define MSGFLAG_HASATTACH                0x00000010u
#define MSGFLAG_FROMME                   0x00000020u
#define MSGFLAG_ASSOCIATED               0x00000040u
#define MSGFLAG_RESEND                   0x00000080u
#define MSGFLAG_NOTIFYREAD               0x00000100u
#define MSGFLAG_NOTIFYUNREAD             0x00000200u
#define MSGFLAG_EVERREAD                 0x00000400u

/* ---- recipients ------------------------------------------------------- */
#define PidTagAddressType                0x3002001Fu
#define PidTagDisplayType                0x39000003u
#define PidTagEmailAddress               0x3003001Fu
#define PidTagRecipientDisplayName       0x5FF6001Fu
#define PidTagRecipientFlags             0x5FFD0003u
#define PidTagRecipientTrackStatus       0x5FFF0003u
#define PidTagRecipientType              0x0C150003u
#define PidTagRowid                      0x30000003u
#define PidTagSmtpAddress                0x39FE001Fu
#define PidTagTransmittableDisplayName   0x3A20001Fu
#define PidTagObjectTypeMailUser         6

/* ---- attachments ------------------------------------------------------ */
#define PidTagAttachContentId            0x3712001Fu
#define PidTagAttachDataBinary           0x37010102u
#define PidTagAttachDataObject           0x3701000Du
#define PidTagAttachExtension            0x3703001Fu
#define PidTagAttachFilename             0x3704001Fu
#define PidTagAttachLongFilename         0x3707001Fu
#define PidTagAttachMethod               0x37050003u
#define PidTagAttachMimeTag              0x370E001Fu
#define PidTagAttachNumber               0x0E210003u
#define PidTagAttachSize                 0x0E200003u
#define PidTagAttachmentHidden           0x7FFE000Bu
#define PidTagRenderingPosition          0x370B0003u
#define PidTagAttachFlags                0x37140003u
#define PidTagAttachContentLocation      0x3713001Fu
#define PidTagAttachmentFlags            0x7FFD0003u

/* PidTagAttachFlags ([MS-OXCMSG] 2.2.2.18). */
#define ATT_INVISIBLE_IN_HTML            0x00000001u
#define ATT_INVISIBLE_IN_RTF             0x00000002u
#define ATT_MHTML_REF                    0x00000004u

/* ---- Internet mail ([MS-OXCMAIL], [MS-OXOMSG]) ---------------------- */
#define PidTagSenderSmtpAddress          0x5D01001Fu
#define PidTagSentRepresentingSmtpAddress 0x5D02001Fu
#define PidTagSentRepresentingEmailAddress 0x0065001Fu
#define PidTagSentRepresentingAddressType 0x0064001Fu
#define PidTagReceivedByName             0x0040001Fu
#define PidTagReceivedByEmailAddress     0x0076001Fu
#define PidTagReceivedByAddressType      0x0075001Fu
#define PidTagReceivedBySmtpAddress      0x5D07001Fu
#define PidTagReceivedRepresentingName   0x0044001Fu
#define PidTagReceivedRepresentingEmailAddress 0x0078001Fu
#define PidTagReceivedRepresentingAddressType 0x0077001Fu
#define PidTagReceivedRepresentingSmtpAddress 0x5D08001Fu
#define PidTagInReplyToId                0x1042001Fu
#define PidTagInternetReferences         0x1039001Fu
#define PidTagBodyContentId              0x1015001Fu
#define PidTagMessageToMe                0x0057000Bu
#define PidTagMessageCcMe                0x0058000Bu
#define PidTagMessageRecipientMe         0x0059000Bu
#define PidTagRtfInSync                  0x0E1F000Bu
#define PidTagNativeBody                 0x10160003u
#define PidTagConversationIndexTracking  0x3016000Bu

/* PidTagNativeBody values ([MS-OXCMSG] 2.2.1.58.1). */
#define NATIVE_BODY_UNDEFINED            0
#define NATIVE_BODY_PLAIN                1
#define NATIVE_BODY_RTF                  2
#define NATIVE_BODY_HTML                 3
#define NATIVE_BODY_CLEAR_SIGNED         4

#define ATTACH_BY_VALUE                  1
#define ATTACH_EMBEDDED_MSG              5

/* PidTagObjectType values ([MS-OXCPRPT] 2.2.1.7 and friends). */
#define MAPI_STORE                       1
#define MAPI_FOLDER                      3
#define MAPI_MESSAGE                     5
#define MAPI_MAILUSER                    6
#define MAPI_ATTACH                      7

/* ---- [MS-OXCDATA] 2.4 error codes ------------------------------------ */
#define MAPI_E_SUCCESS                   0x00000000u
#define ecError                          0x80004005u   /* MAPI_E_CALL_FAILED */
#define ecNotSupported                   0x80040102u   /* MAPI_E_NO_SUPPORT */
#define ecInvalidObject                  0x80040108u
#define ecObjectModified                 0x80040109u
#define ecObjectDeleted                  0x8004010Au
#define ecInsufficientResources          0x8004010Eu
#define ecNotFound                       0x8004010Fu
#define ecLoginFailure                   0x80040111u
#define ecUnableToAbort                  0x80040114u
#define ecTooComplex                     0x80040117u
#define ecComputed                       0x8004011Au
#define ecInvalidBookmark                0x80040405u
#define ecNotInitialized                 0x80040605u
#define ecDuplicateName                  0x80040604u
#define ecFolderHasChildren              0x80040609u   /* MAPI_E_HAS_FOLDERS */
#define ecFolderHasContents              0x8004060Au   /* MAPI_E_HAS_MESSAGES */
#define ecTooBig                         0x80040305u
#define ecAccessDenied                   0x80070005u
#define ecNotEnoughMemory                0x8007000Eu
#define ecInvalidParam                   0x80070057u
#define ecNullObject                     0x000004B9u
#define ecUnknownUser                    0x000003EBu
#define ecLoginPerm                      0x000003F2u
#define ecWrongServer                    0x00000478u
#define ecServerBusy                     0x00000480u   /* retry later */
#define ecNotImplemented                 0x80040FFFu
#define ecStreamInvalidParam             0x80030057u   /* STG_E_INVALIDPARAMETER */
#define ecStreamSeekError                0x80030019u   /* STG_E_SEEKERROR */
#define ecStreamSizeError                0x80030070u   /* STG_E_MEDIUMFULL */
#define ecStreamAccessDenied             0x80030005u   /* STG_E_ACCESSDENIED */
#define ecWarnPositionChanged            0x00040481u
#define ecWarnWithErrors                 0x00040380u   /* partial completion */

/* ---- messages and recipients (rop_message.c, rop_stream.c) ---------- */
#define PidTagAddressBookDisplayNamePrintable 0x39FF001Fu
#define PidTagSendRichInfo               0x3A40000Bu
#define PidTagRecipientOrder             0x5FDF0003u
#define PidTagResponsibility             0x0E0F000Bu
#define PidTagRecipientEntryId           0x5FF70102u
#define PidTagLocaleId                   0x66A10003u
#define PidTagHasNamedProperties         0x664A000Bu
#define ecMaxAttachmentExceeded          0x000004DBu
/* [MS-OXCDATA] 2.4.2: "a client has opened too many objects of a specific
 * type" (Exchange: sessions per user, objects per session). */
#define ecMaxObjsExceeded                0x000004DEu

/* Sub-object properties ([MS-OXPROPS]): the targets of a
 * SubObject restriction ([MS-OXCDATA] 2.12.10). */
#define PidTagMessageRecipients          0x0E12000Du
#define PidTagMessageAttachments         0x0E13000Du

#endif
