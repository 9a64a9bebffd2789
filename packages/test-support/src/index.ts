/** Test support shared by every workspace's suites. Import the oracle harness from `horde-test-support/oracle`. */
export {};
