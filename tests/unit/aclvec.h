/* ACL test vectors shared by test_acl (format conversion) and test_xattr
 * (ACLs through the xattr interface): one ACL with named entries,
 * user::rw- user:1000:rwx group::r-- group:50:r-- mask::rwx other::---,
 * in both formats. */
#ifndef F4_TEST_ACLVEC_H
#define F4_TEST_ACLVEC_H

/* In the VFS format, as the kernel's getxattr returns it (checked against
 * ext4). */
extern const unsigned char f4t_vfs_named[52];
/* The same ACL in ext4's on-disk format. */
extern const unsigned char f4t_disk_named[36];

#endif
