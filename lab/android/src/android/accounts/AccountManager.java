package android.accounts;

import android.content.Context;
import java.util.ArrayList;
import java.util.List;
import privmon.lab.Device;

/** Stand-in for android.accounts.AccountManager; accounts come from the device profile. */
public class AccountManager {
    public static AccountManager get(Context context) { return new AccountManager(); }

    public Account[] getAccounts() {
        List<Account> list = new ArrayList<>();
        for (String name : Device.get("accounts", "").split(",")) {
            if (!name.isEmpty()) list.add(new Account(name, "com.google"));
        }
        return list.toArray(new Account[0]);
    }

    public Account[] getAccountsByType(String type) { return getAccounts(); }
}
