/*
 * rop_ids.h: every RopId of [MS-OXCROPS] section 2.2.2 (R14: one byte per
 * ROP).  Values not listed are reserved (R16) and answered by stopping the
 * walk (see rop_engine.c).  RopNotify (0x2A), RopPending (0x6E),
 * RopBackoff (0xF9) and RopBufferTooSmall (0xFF) only appear in responses.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_IDS_H
#define MAPI_ROP_IDS_H

#define ROP_ID_RELEASE                                        0x01
#define ROP_ID_OPEN_FOLDER                                    0x02
#define ROP_ID_OPEN_MESSAGE                                   0x03
#define ROP_ID_GET_HIERARCHY_TABLE                            0x04
#define ROP_ID_GET_CONTENTS_TABLE                             0x05
#define ROP_ID_CREATE_MESSAGE                                 0x06
#define ROP_ID_GET_PROPERTIES_SPECIFIC                        0x07
#define ROP_ID_GET_PROPERTIES_ALL                             0x08
#define ROP_ID_GET_PROPERTIES_LIST                            0x09
#define ROP_ID_SET_PROPERTIES                                 0x0A
#define ROP_ID_DELETE_PROPERTIES                              0x0B
#define ROP_ID_SAVE_CHANGES_MESSAGE                           0x0C
#define ROP_ID_REMOVE_ALL_RECIPIENTS                          0x0D
#define ROP_ID_MODIFY_RECIPIENTS                              0x0E
#define ROP_ID_READ_RECIPIENTS                                0x0F
#define ROP_ID_RELOAD_CACHED_INFORMATION                      0x10
#define ROP_ID_SET_MESSAGE_READ_FLAG                          0x11
#define ROP_ID_SET_COLUMNS                                    0x12
#define ROP_ID_SORT_TABLE                                     0x13
#define ROP_ID_RESTRICT                                       0x14
#define ROP_ID_QUERY_ROWS                                     0x15
#define ROP_ID_GET_STATUS                                     0x16
#define ROP_ID_QUERY_POSITION                                 0x17
#define ROP_ID_SEEK_ROW                                       0x18
#define ROP_ID_SEEK_ROW_BOOKMARK                              0x19
#define ROP_ID_SEEK_ROW_FRACTIONAL                            0x1A
#define ROP_ID_CREATE_BOOKMARK                                0x1B
#define ROP_ID_CREATE_FOLDER                                  0x1C
#define ROP_ID_DELETE_FOLDER                                  0x1D
#define ROP_ID_DELETE_MESSAGES                                0x1E
#define ROP_ID_GET_MESSAGE_STATUS                             0x1F
#define ROP_ID_SET_MESSAGE_STATUS                             0x20
#define ROP_ID_GET_ATTACHMENT_TABLE                           0x21
#define ROP_ID_OPEN_ATTACHMENT                                0x22
#define ROP_ID_CREATE_ATTACHMENT                              0x23
#define ROP_ID_DELETE_ATTACHMENT                              0x24
#define ROP_ID_SAVE_CHANGES_ATTACHMENT                        0x25
#define ROP_ID_SET_RECEIVE_FOLDER                             0x26
#define ROP_ID_GET_RECEIVE_FOLDER                             0x27
#define ROP_ID_REGISTER_NOTIFICATION                          0x29
#define ROP_ID_NOTIFY                                         0x2A
#define ROP_ID_OPEN_STREAM                                    0x2B
#define ROP_ID_READ_STREAM                                    0x2C
#define ROP_ID_WRITE_STREAM                                   0x2D
#define ROP_ID_SEEK_STREAM                                    0x2E
#define ROP_ID_SET_STREAM_SIZE                                0x2F
#define ROP_ID_SET_SEARCH_CRITERIA                            0x30
#define ROP_ID_GET_SEARCH_CRITERIA                            0x31
#define ROP_ID_SUBMIT_MESSAGE                                 0x32
#define ROP_ID_MOVE_COPY_MESSAGES                             0x33
#define ROP_ID_ABORT_SUBMIT                                   0x34
#define ROP_ID_MOVE_FOLDER                                    0x35
#define ROP_ID_COPY_FOLDER                                    0x36
#define ROP_ID_QUERY_COLUMNS_ALL                              0x37
#define ROP_ID_ABORT                                          0x38
#define ROP_ID_COPY_TO                                        0x39
#define ROP_ID_COPY_TO_STREAM                                 0x3A
#define ROP_ID_CLONE_STREAM                                   0x3B
#define ROP_ID_GET_PERMISSIONS_TABLE                          0x3E
#define ROP_ID_GET_RULES_TABLE                                0x3F
#define ROP_ID_MODIFY_PERMISSIONS                             0x40
#define ROP_ID_MODIFY_RULES                                   0x41
#define ROP_ID_GET_OWNING_SERVERS                             0x42
#define ROP_ID_LONG_TERM_ID_FROM_ID                           0x43
#define ROP_ID_ID_FROM_LONG_TERM_ID                           0x44
#define ROP_ID_PUBLIC_FOLDER_IS_GHOSTED                       0x45
#define ROP_ID_OPEN_EMBEDDED_MESSAGE                          0x46
#define ROP_ID_SET_SPOOLER                                    0x47
#define ROP_ID_SPOOLER_LOCK_MESSAGE                           0x48
#define ROP_ID_GET_ADDRESS_TYPES                              0x49
#define ROP_ID_TRANSPORT_SEND                                 0x4A
#define ROP_ID_FAST_TRANSFER_SOURCE_COPY_MESSAGES             0x4B
#define ROP_ID_FAST_TRANSFER_SOURCE_COPY_FOLDER               0x4C
#define ROP_ID_FAST_TRANSFER_SOURCE_COPY_TO                   0x4D
#define ROP_ID_FAST_TRANSFER_SOURCE_GET_BUFFER                0x4E
#define ROP_ID_FIND_ROW                                       0x4F
#define ROP_ID_PROGRESS                                       0x50
#define ROP_ID_TRANSPORT_NEW_MAIL                             0x51
#define ROP_ID_GET_VALID_ATTACHMENTS                          0x52
#define ROP_ID_FAST_TRANSFER_DESTINATION_CONFIGURE            0x53
#define ROP_ID_FAST_TRANSFER_DESTINATION_PUT_BUFFER           0x54
#define ROP_ID_GET_NAMES_FROM_PROPERTY_IDS                    0x55
#define ROP_ID_GET_PROPERTY_IDS_FROM_NAMES                    0x56
#define ROP_ID_UPDATE_DEFERRED_ACTION_MESSAGES                0x57
#define ROP_ID_EMPTY_FOLDER                                   0x58
#define ROP_ID_EXPAND_ROW                                     0x59
#define ROP_ID_COLLAPSE_ROW                                   0x5A
#define ROP_ID_LOCK_REGION_STREAM                             0x5B
#define ROP_ID_UNLOCK_REGION_STREAM                           0x5C
#define ROP_ID_COMMIT_STREAM                                  0x5D
#define ROP_ID_GET_STREAM_SIZE                                0x5E
#define ROP_ID_QUERY_NAMED_PROPERTIES                         0x5F
#define ROP_ID_GET_PER_USER_LONG_TERM_IDS                     0x60
#define ROP_ID_GET_PER_USER_GUID                              0x61
#define ROP_ID_READ_PER_USER_INFORMATION                      0x63
#define ROP_ID_WRITE_PER_USER_INFORMATION                     0x64
#define ROP_ID_SET_READ_FLAGS                                 0x66
#define ROP_ID_COPY_PROPERTIES                                0x67
#define ROP_ID_GET_RECEIVE_FOLDER_TABLE                       0x68
#define ROP_ID_FAST_TRANSFER_SOURCE_COPY_PROPERTIES           0x69
#define ROP_ID_GET_COLLAPSE_STATE                             0x6B
#define ROP_ID_SET_COLLAPSE_STATE                             0x6C
#define ROP_ID_GET_TRANSPORT_FOLDER                           0x6D
#define ROP_ID_PENDING                                        0x6E
#define ROP_ID_OPTIONS_DATA                                   0x6F
#define ROP_ID_SYNCHRONIZATION_CONFIGURE                      0x70
#define ROP_ID_SYNCHRONIZATION_IMPORT_MESSAGE_CHANGE          0x72
#define ROP_ID_SYNCHRONIZATION_IMPORT_HIERARCHY_CHANGE        0x73
#define ROP_ID_SYNCHRONIZATION_IMPORT_DELETES                 0x74
#define ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN      0x75
#define ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE   0x76
#define ROP_ID_SYNCHRONIZATION_UPLOAD_STATE_STREAM_END        0x77
#define ROP_ID_SYNCHRONIZATION_IMPORT_MESSAGE_MOVE            0x78
#define ROP_ID_SET_PROPERTIES_NO_REPLICATE                    0x79
#define ROP_ID_DELETE_PROPERTIES_NO_REPLICATE                 0x7A
#define ROP_ID_GET_STORE_STATE                                0x7B
#define ROP_ID_SYNCHRONIZATION_OPEN_COLLECTOR                 0x7E
#define ROP_ID_GET_LOCAL_REPLICA_IDS                          0x7F
#define ROP_ID_SYNCHRONIZATION_IMPORT_READ_STATE_CHANGES      0x80
#define ROP_ID_RESET_TABLE                                    0x81
#define ROP_ID_SYNCHRONIZATION_GET_TRANSFER_STATE             0x82
#define ROP_ID_TELL_VERSION                                   0x86
#define ROP_ID_FREE_BOOKMARK                                  0x89
#define ROP_ID_WRITE_AND_COMMIT_STREAM                        0x90
#define ROP_ID_HARD_DELETE_MESSAGES                           0x91
#define ROP_ID_HARD_DELETE_MESSAGES_AND_SUBFOLDERS            0x92
#define ROP_ID_SET_LOCAL_REPLICA_MIDSET_DELETED               0x93
#define ROP_ID_FAST_TRANSFER_DESTINATION_PUT_BUFFER_EXTENDED  0x9D
#define ROP_ID_WRITE_STREAM_EXTENDED                          0xA3
#define ROP_ID_BACKOFF                                        0xF9
#define ROP_ID_LOGON                                          0xFE
#define ROP_ID_BUFFER_TOO_SMALL                               0xFF

/* Number of RopIds above (client and server-only). */
#define ROP_ID_COUNT 132

#endif
