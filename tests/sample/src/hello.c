#include <stdio.h>

int main(void)
{
	puts("hello from an ext4 image");
	return 0;
}
