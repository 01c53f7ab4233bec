import Testing
import HummingbirdTesting
import API
