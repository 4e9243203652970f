BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Set-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            New-MSCommerceTestSubscription -Id $PathParameter.subscriptionId
        }
    }

    It 'Should send only the changes given, as a PATCH' -ForEach @(
        @{ Splat = @{ Quantity = 7 }; Expected = 'quantity=7' }
        @{ Splat = @{ AutoRenew = $false }; Expected = 'autoRenew=False' }
        @{ Splat = @{ Quantity = 2; AutoRenew = $true }; Expected = 'autoRenew=True;quantity=2' }
    ) {
        $result = Set-MSCommerceSubscription -SubscriptionId 's1' @Splat -Confirm:$false
        $result.PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $sent = (@($Body.Keys | Sort-Object | ForEach-Object -Process { '{0}={1}' -f $_, $Body[$_] })) -join ';'
            $Method -eq 'PATCH' -and $Path -eq '/v1.0/subscriptions/{subscriptionId}' -and $PathParameter.subscriptionId -eq 's1' -and $sent -eq $Expected
        }
    }

    It 'Should refuse a call without a change before any call (NothingToChange)' {
        { Set-MSCommerceSubscription -SubscriptionId 's1' -Confirm:$false } | Should -Throw -ErrorId 'NothingToChange*'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should refuse a quantity below 1 before any call' {
        { Set-MSCommerceSubscription -SubscriptionId 's1' -Quantity 0 -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should bind SubscriptionId and ETag from piped subscriptions and send the ETag as If-Match' {
        $listed = [pscustomobject]@{ PSTypeName = 'MSCommerce.Subscription'; SubscriptionId = 's9'; ETag = '"1"'; Quantity = 5 }
        $null = $listed | Set-MSCommerceSubscription -AutoRenew $false -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.subscriptionId -eq 's9' -and $IfMatch -eq '"1"' }
    }

    It 'Should send nothing with -WhatIf' {
        Set-MSCommerceSubscription -SubscriptionId 's1' -Quantity 9 -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report a refusal as a non-terminating error' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'RenewalNotOffered' -Category 'InvalidArgument')
        }
        $null = Set-MSCommerceSubscription -SubscriptionId 's1' -AutoRenew $true -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RenewalNotOffered*'
    }
}
