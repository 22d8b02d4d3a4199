// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The cheapest program to exec: linked statically, so no loader and no
 * shared libraries; execstorm -p build/bench/nop measures exec itself. */
int main(void)
{
	return 0;
}
